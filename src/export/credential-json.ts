/**
 * The JSON a credential_process prints (Version 1), which the AWS CLI and
 * every AWS SDK read: `rolecall credential-process` and `export --format json`.
 */
import type { Credentials } from '../config/credentials.js';
import { isoSeconds } from '../exec/child-env.js';

export function credentialJson(credentials: Credentials): string {
  const document = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { SessionToken: credentials.sessionToken } : {}),
    // Absent for a long-term key: the SDKs then never refresh it.
    ...(credentials.expiration ? { Expiration: isoSeconds(credentials.expiration) } : {}),
  };
  return `${JSON.stringify(document)}\n`;
}
