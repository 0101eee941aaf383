/**
 * A misspelt key (`role-arn`, `source_proifle`, `aws_secret_acess_key`) is
 * silently ignored by the AWS CLI, and then the profile fails for a reason
 * that points elsewhere ("has no keys: run rolecall add"). rolecall names
 * such keys: any key neither it nor the AWS CLI reads that is a small edit
 * away from one rolecall reads.
 */
import { editDistance } from './suggest-names.js';

/** The keys rolecall reads (and so the ones a typo most likely meant). */
const READ_BY_ROLECALL = [
  'role_arn',
  'source_profile',
  'credential_source',
  'mfa_serial',
  'mfa_process',
  'external_id',
  'role_session_name',
  'duration_seconds',
  'region',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
  'credential_process',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'sso_registration_scopes',
  'rolecall_share_sso_cache',
] as const;

/** Keys the AWS CLI reads that rolecall does not: never reported. */
const READ_BY_AWS_CLI = new Set([
  'output',
  'web_identity_token_file',
  'ca_bundle',
  'cli_pager',
  'cli_timestamp_format',
  'cli_binary_format',
  'cli_auto_prompt',
  'cli_history',
  'parameter_validation',
  'max_attempts',
  'retry_mode',
  'endpoint_url',
  'ignore_configure_endpoint_urls',
  'services',
  'use_fips_endpoint',
  'use_dualstack_endpoint',
  'sts_regional_endpoints',
  's3',
  'tcp_keepalive',
  'metadata_service_timeout',
  'metadata_service_num_attempts',
  'ec2_metadata_service_endpoint',
  'ec2_metadata_service_endpoint_mode',
  'ec2_metadata_v1_disabled',
  'defaults_mode',
  'request_checksum_calculation',
  'response_checksum_validation',
  'account_id_endpoint_mode',
  'aws_account_id',
  'sigv4a_signing_region_set',
  'disable_request_compression',
  'request_min_compression_size_bytes',
  'api_versions',
]);

const KNOWN: ReadonlySet<string> = new Set([...READ_BY_ROLECALL, ...READ_BY_AWS_CLI]);

export interface KeyTypo {
  readonly key: string;
  readonly meant: string;
}

export function misspeltKeys(keys: Iterable<string>): KeyTypo[] {
  const typos: KeyTypo[] = [];
  for (const key of keys) {
    const lower = key.toLowerCase();
    if (KNOWN.has(lower)) continue;
    const meant = closestReadKey(lower);
    if (meant) typos.push({ key, meant });
  }
  return typos;
}

function closestReadKey(key: string): string | undefined {
  const spelled = key.replace(/-/g, '_');
  let best: { name: string; distance: number } | undefined;
  for (const name of READ_BY_ROLECALL) {
    const distance = spelled === name ? 0 : editDistance(spelled, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** '"role-arn" (did you mean role_arn?), which neither the AWS CLI nor rolecall reads' */
export function describeTypos(typos: readonly KeyTypo[]): string {
  return `${typos.map(({ key, meant }) => `"${key}" (did you mean ${meant}?)`).join(', ')}, which neither the AWS CLI nor rolecall reads`;
}
