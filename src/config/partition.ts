/**
 * Which AWS partition a region is in, and the hosts that differ by
 * partition: the console's sign-in (federation) endpoint, the console
 * itself, the region IAM (a global service) is signed for, and the DNS
 * suffix of regional endpoints (the OIDC API's authorize page is built on it).
 */
export interface Partition {
  readonly name: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly signinHost: string;
  readonly consoleHost: string;
  readonly iamRegion: string;
  /** `oidc.REGION.` + this: where a regional service is. */
  readonly dnsSuffix: string;
}

const CHINA: Partition = { name: 'aws-cn', signinHost: 'signin.amazonaws.cn', consoleHost: 'console.amazonaws.cn', iamRegion: 'cn-north-1', dnsSuffix: 'amazonaws.com.cn' };
const GOVCLOUD: Partition = { name: 'aws-us-gov', signinHost: 'signin.amazonaws-us-gov.com', consoleHost: 'console.amazonaws-us-gov.com', iamRegion: 'us-gov-west-1', dnsSuffix: 'amazonaws.com' };
const COMMERCIAL: Partition = { name: 'aws', signinHost: 'signin.aws.amazon.com', consoleHost: 'console.aws.amazon.com', iamRegion: 'us-east-1', dnsSuffix: 'amazonaws.com' };

export function partitionOf(region: string | undefined): Partition {
  if (region?.startsWith('cn-')) return CHINA;
  if (region?.startsWith('us-gov-')) return GOVCLOUD;
  return COMMERCIAL;
}
