/**
 * The bad-input corpus of issue 12, as data: each entry plants files in a
 * fresh HOME, runs one rolecall command line and says how it must end (the
 * status, and a pattern the one error line must match). bad-input.test.ts
 * runs every entry through the built CLI and holds each to the same rules:
 * a few lines, no stack, no internal names, every planted file untouched.
 *
 * Values out of what AWS accepts are AWS's documented limits: a role ARN
 * (arn:aws:iam::ACCOUNT:role/PATH/NAME, a name of 1 to 64, 20 to 2048 in
 * all), DurationSeconds 900 to 43200 (AssumeRole) and to 129600
 * (GetSessionToken), RoleSessionName [\w+=,.@-]{2,64}, ExternalId
 * [\w+=,.@:/-]{2,1224}, SerialNumber [\w+=/:,.@-]{9,256}, an account id of
 * 12 digits, an https start URL.
 */

/** What to plant at a path under HOME: its content, or a FIFO, or a directory. */
export type Plant = string | Buffer | { readonly fifo: true } | { readonly dir: true };

export interface BadInput {
  readonly name: string;
  /** Paths under HOME. */
  readonly files?: Readonly<Record<string, Plant>>;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Where the command runs, under HOME (default HOME itself). */
  readonly cwd?: string;
  readonly status: number;
  /** The line rolecall says about it (one of at most three lines on stderr). */
  readonly error: RegExp;
  /**
   * New paths under HOME rolecall may keep after this command (beyond Node's
   * compile cache): state it keeps on purpose. None for a command refused
   * before it did anything.
   */
  readonly keeps?: readonly RegExp[];
}

/** A failed session's note for the commands waiting on it (cache/flight-failure.ts). */
const FAILED_FLIGHT = /^\.cache\/rolecall\/locks\/[0-9a-f]+\.lock\.[0-9a-f]+\.failed$/;
/** The plain-text keys notice, said once per profile (log/said-once.ts). */
const PLAINTEXT_NOTICED = /^\.local\/state\/rolecall\/plaintext-noticed\/[^/]+$/;
/** The hook's generation marker and the trust records (trust/trust-store.ts). */
const TRUST_STATE = /^\.local\/share\/rolecall\/(generation|trust)\/[^/]+$/;

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
/** Planted in the files of many entries: no output may carry it. */
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const BASE_KEYS = `[base]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`;
const ROLE = 'arn:aws:iam::123456789012:role/Admin';
const MFA = 'arn:aws:iam::123456789012:mfa/alice';
const SSO_SESSION = '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n';

/** Bytes from a fixed seed: the same garbage at every run. */
function garbage(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const TEN_MB = 10 * 1024 * 1024;
const HUNDRED_MB = 100 * 1024 * 1024;

/** `exec r -- true` where profile r is a role over base's keys, with `extra` lines of its own. */
function roleWith(name: string, extra: string, error: RegExp): BadInput {
  return {
    name,
    files: { '.aws/config': `[profile base]\n[profile r]\nrole_arn = ${ROLE}\nsource_profile = base\n${extra}\n`, '.aws/credentials': BASE_KEYS },
    argv: ['exec', 'r', '--', 'true'],
    status: 125,
    error,
  };
}

function roleArn(name: string, value: string, error = /profile "r" has role_arn .*, which is not a role ARN/): BadInput {
  const entry = roleWith(name, '', error);
  return { ...entry, files: { ...entry.files, '.aws/config': `[profile base]\n[profile r]\nrole_arn = ${value}\nsource_profile = base\n` } };
}

/** `exec s -- true` for an SSO profile over [sso-session corp], with the profile's and the session's lines. */
function sso(name: string, profile: string, error: RegExp, session = SSO_SESSION): BadInput {
  return { name, files: { '.aws/config': `${session}[profile s]\n${profile}\n` }, argv: ['exec', 's', '--', 'true'], status: 125, error };
}

const SSO_ROLE = 'sso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev';

/** `exec p -- true` with the config file given as it is. */
function configFile(name: string, content: Plant, error: RegExp): BadInput {
  return { name, files: { '.aws/config': content }, argv: ['exec', 'p', '--', 'true'], status: 125, error };
}

function credentialsFile(name: string, content: Plant, error: RegExp): BadInput {
  return { name, files: { '.aws/config': '[profile other]\n', '.aws/credentials': content }, argv: ['exec', 'p', '--', 'true'], status: 125, error };
}

/** `exec m -- true` where m has keys, an MFA device and `mfa_process = COMMAND`: the code is read before any call to STS. */
function mfaProcess(name: string, command: string, error: RegExp, env?: Record<string, string>): BadInput {
  return {
    name,
    files: { '.aws/config': `[profile m]\nmfa_serial = ${MFA}\nmfa_process = ${command}\n`, '.aws/credentials': BASE_KEYS.replace('[base]', '[m]') },
    argv: ['exec', 'm', '--', 'true'],
    ...(env ? { env } : {}),
    status: 125,
    error,
    keeps: [FAILED_FLIGHT, PLAINTEXT_NOTICED],
  };
}

/** `exec c -- true` where c's keys come from `credential_process = COMMAND`. */
function credentialProcess(name: string, command: string, error: RegExp, env?: Record<string, string>): BadInput {
  return {
    name,
    files: { '.aws/config': `[profile c]\ncredential_process = ${command}\n` },
    argv: ['exec', 'c', '--', 'true'],
    ...(env ? { env } : {}),
    status: 125,
    error,
    keeps: [FAILED_FLIGHT],
  };
}

/** A command line refused as it is parsed: `argv` against a config with a role profile r. */
function flag(name: string, argv: readonly string[], status: number, error: RegExp): BadInput {
  return { name, files: { '.aws/config': `[profile base]\n[profile r]\nrole_arn = ${ROLE}\nsource_profile = base\n`, '.aws/credentials': BASE_KEYS }, argv, status, error };
}

const NOT_FOUND = /profile .* is not in ~\/\.aws\/config or ~\/\.aws\/credentials/;

function profileName(name: string, argv: readonly string[], status: number, error: RegExp = NOT_FOUND, env?: Record<string, string>): BadInput {
  return { name, files: { '.aws/config': '[profile dev]\nregion = eu-west-1\n' }, argv, status, error, ...(env ? { env } : {}) };
}

/** The shell hook (`hook-env bash`) in a project whose .awsprofile is `content`: it ignores the file, says so, and ends 0 (a prompt never fails). */
function awsprofile(name: string, content: Plant, error: RegExp, argv: readonly string[] = ['hook-env', 'bash'], status = 0): BadInput {
  return {
    name,
    files: { '.aws/config': '[profile dev]\nregion = eu-west-1\n', 'proj/.awsprofile': content },
    argv,
    cwd: 'proj',
    status,
    error,
    keeps: [TRUST_STATE],
  };
}

export const BAD_INPUTS: readonly BadInput[] = [
  // The config and credentials files.
  configFile('config: binary garbage', garbage(4096, 1), /~\/\.aws\/config:\d+: the file is not valid UTF-8/),
  configFile('config: NUL bytes on a line', '[profile p]\n\u0000\u0000\u0000\n', /~\/\.aws\/config:2: in \[profile p\]: .* is neither a \[section\] nor a key = value line/),
  configFile('config: a NUL byte in a value', '[profile p]\nregion = eu\u0000west-1\n', /profile "p" has region "eu\\u0000west-1", which is not a region name/),
  configFile('config: a 10 MB line of a value', `[profile p]\nregion = ${'a'.repeat(TEN_MB)}\n`, /profile "p" has region a 10485760-character value \(not shown\), which is not a region name/),
  configFile('config: a 10 MB line that is no key', `[profile p]\n${'x'.repeat(TEN_MB)}\n`, /~\/\.aws\/config:2: in \[profile p\]: "x+\.\.\." is neither a \[section\] nor a key = value line/),
  configFile('config: an unterminated section header', '[profile p\nregion = eu-west-1\n', /~\/\.aws\/config:1: .*opens a \[section\] header that never closes/),
  configFile('config: keys before any section', 'region = eu-west-1\n[profile p]\n', /~\/\.aws\/config:1: "region = eu-west-1" comes before any \[section\] header/),
  configFile('config: invalid UTF-8 (Latin-1)', Buffer.from('[profile p]\nregion = eu-west-1\n[profile caf\xe9]\n', 'latin1'), /~\/\.aws\/config:3: the file is not valid UTF-8/),
  configFile('config: a byte-order mark', '\ufeff[profile p]\nregion = eu-west-1\n', /~\/\.aws\/config:1: the file starts with a byte-order mark/),
  configFile('config: a section twice', '[profile p]\nregion = eu-west-1\n[profile p]\n', /section \[profile p\] appears twice in this file \(lines 1 and 3\)/),
  configFile('config: a key twice, in two cases', '[profile p]\nRegion = eu-west-1\nregion = eu-west-2\n', /key "region" is set twice \(lines 2 and 3\)/),
  configFile('config: a sub-setting with no "="', '[profile p]\ns3 =\n  max_concurrent_requests\n', /~\/\.aws\/config:1: in \[profile p\], s3: sub-setting "max_concurrent_requests" has no "="/),
  configFile('config: a line with no key before "="', '[profile p]\n= eu-west-1\n', /~\/\.aws\/config:2: in \[profile p\]: "= eu-west-1" has no key before the "="/),
  configFile('config: a directory', { dir: true }, NOT_FOUND),
  configFile('config: a FIFO (never opened for a blocking read)', { fifo: true }, NOT_FOUND),
  configFile('config: an unclosed quote in the header', '[profile "p]\nregion = eu-west-1\n', NOT_FOUND),
  {
    name: 'config: AWS_CONFIG_FILE is /dev/zero (a device, never read)',
    argv: ['exec', 'p', '--', 'true'],
    env: { AWS_CONFIG_FILE: '/dev/zero' },
    status: 125,
    error: /profile "p" is not in \/dev\/zero or ~\/\.aws\/credentials/,
  },
  configFile(
    'config: a source_profile loop through 300 profiles',
    Array.from({ length: 300 }, (_, i) => `[profile p${i === 0 ? '' : i}]\nrole_arn = ${ROLE}\nsource_profile = p${(i + 1) % 300 || ''}\n`).join(''),
    /profile "p299" makes a loop: "p" -> "p1" -> "p2" -> "p3" -> \.\.\. \(294 more\) -> "p298" -> "p299" -> "p"; point one source_profile at a profile with keys/,
  ),
  {
    name: 'config: a FIFO, for add to append to',
    files: { '.aws/config': { fifo: true } },
    argv: ['add', 'p', '--env'],
    env: { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET },
    status: 1,
    error: /~\/\.aws\/config is not a regular file, so \[profile p\] was not added to it/,
    // The keys were stored before: the file vault, created for them.
    keeps: [/^\.local\/share\/rolecall\/vault\//, /^\.aws\/config\.lock$/],
  },
  credentialsFile('credentials: binary garbage', garbage(4096, 2), /~\/\.aws\/credentials:\d+: the file is not valid UTF-8/),
  credentialsFile('credentials: a FIFO', { fifo: true }, NOT_FOUND),
  credentialsFile('credentials: a directory', { dir: true }, NOT_FOUND),
  credentialsFile('credentials: keys before any section', `aws_access_key_id = ${KEY_ID}\n[p]\n`, /~\/\.aws\/credentials:1: "aws_access_key_id = AKIAIOSFODNN7EXAMPLE" comes before any \[section\] header/),
  credentialsFile('credentials: NUL bytes in a secret', `[p]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = \u0000\u0000\n\u0000\n`, /~\/\.aws\/credentials:4: in \[p\]: .* is neither a \[section\] nor a key = value line/),
  credentialsFile('credentials: an id with no secret', `[p]\naws_access_key_id = ${KEY_ID}\n`, /~\/\.aws\/credentials: profile "p" has aws_access_key_id but no aws_secret_access_key/),
  credentialsFile('credentials: a secret with no id', `[p]\naws_secret_access_key = ${SECRET}\n`, /profile "p" has aws_secret_access_key but no aws_access_key_id/),
  credentialsFile('credentials: an empty secret', `[p]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key =\n`, /profile "p" has aws_access_key_id but an empty aws_secret_access_key/),
  credentialsFile('credentials: an unterminated section', `[p\naws_access_key_id = ${KEY_ID}\n`, /~\/\.aws\/credentials:1: .*opens a \[section\] header that never closes/),

  // Values out of what AWS accepts.
  roleArn('role_arn: not an ARN', 'not-an-arn'),
  roleArn('role_arn: an account id of 5 digits', 'arn:aws:iam::12345:role/Admin'),
  roleArn('role_arn: a user, not a role', 'arn:aws:iam::123456789012:user/alice'),
  roleArn('role_arn: no role name', 'arn:aws:iam::123456789012:role/'),
  roleArn('role_arn: a role name of 65 characters', `arn:aws:iam::123456789012:role/${'a'.repeat(65)}`),
  roleArn('role_arn: a space in the name', 'arn:aws:iam::123456789012:role/Ad min'),
  roleArn('role_arn: longer than 2048', `arn:aws:iam::123456789012:role/${'p/'.repeat(1010)}Admin`),
  roleArn('role_arn: empty', ''),
  roleArn('role_arn: a 10 MB line', `arn:aws:iam::123456789012:role/${'a'.repeat(TEN_MB)}`, /has role_arn a 10485\d+-character value \(not shown\), which is not a role ARN/),
  roleArn('role_arn: a trailing comment', `${ROLE} # the admin role`, /has role_arn .*, which is not a role ARN .*put the comment on a line of its own/),
  roleWith('duration_seconds: a word', 'duration_seconds = abc', /profile "r" has duration_seconds "abc"; it must be a whole number of seconds/),
  roleWith('duration_seconds: with a unit', 'duration_seconds = 10s', /has duration_seconds "10s"; it must be a whole number of seconds/),
  roleWith('duration_seconds: below 900', 'duration_seconds = 899', /has duration_seconds 899 for its role; STS allows 900s to 43200s/),
  roleWith('duration_seconds: above 43200', 'duration_seconds = 43201', /has duration_seconds 43201 for its role; STS allows 900s to 43200s/),
  roleWith('duration_seconds: negative', 'duration_seconds = -1', /has duration_seconds "-1"; it must be a whole number of seconds/),
  roleWith('duration_seconds: a fraction', 'duration_seconds = 3600.5', /has duration_seconds "3600\.5"; it must be a whole number of seconds/),
  roleWith('duration_seconds: 20 digits', 'duration_seconds = 99999999999999999999', /has duration_seconds 99999999999999999999 for its role; STS allows 900s to 43200s/),
  roleWith('duration_seconds: full-width digits', 'duration_seconds = ３６００', /has duration_seconds "３６００"; it must be a whole number of seconds/),
  {
    name: 'duration_seconds: above 129600 for GetSessionToken',
    files: { '.aws/config': '[profile base]\nduration_seconds = 129601\n', '.aws/credentials': BASE_KEYS },
    argv: ['exec', 'base', '--', 'true'],
    status: 125,
    error: /profile "base" has duration_seconds 129601 for the GetSessionToken session; STS allows 900s to 129600s/,
    keeps: [PLAINTEXT_NOTICED],
  },
  roleWith('role_session_name: one character', 'role_session_name = a', /has role_session_name "a", which STS refuses; use 2 to 64 of/),
  roleWith('role_session_name: 65 characters', `role_session_name = ${'s'.repeat(65)}`, /has role_session_name "s{65}", which STS refuses/),
  roleWith('role_session_name: a space', 'role_session_name = alice smith', /has role_session_name "alice smith", which STS refuses/),
  roleWith('role_session_name: not ASCII', 'role_session_name = jürgen', /has role_session_name "jürgen", which STS refuses/),
  roleWith('role_session_name: a "!"', 'role_session_name = hi!', /has role_session_name "hi!", which STS refuses/),
  roleWith('external_id: one character', 'external_id = a', /has external_id "a", which STS refuses; use 2 to 1224 of/),
  roleWith('external_id: 1225 characters', `external_id = ${'e'.repeat(1225)}`, /has external_id .*, which STS refuses/),
  roleWith('external_id: a 10 MB line', `external_id = ${'e '.repeat(TEN_MB / 2)}`, /has external_id a 10485\d+-character value \(not shown\), which STS refuses/),
  roleWith('external_id: a space', 'external_id = my id', /has external_id "my id", which STS refuses/),
  roleWith('external_id: a trailing comment', 'external_id = abc  # from the partner', /has external_id "abc  # from the partner", which STS refuses.*put the comment on a line of its own/),
  roleWith('mfa_serial: too short', 'mfa_serial = short', /has mfa_serial "short", which is not an MFA device/),
  roleWith('mfa_serial: 257 characters', `mfa_serial = arn:aws:iam::123456789012:mfa/${'m'.repeat(257 - 30)}`, /has mfa_serial .*, which is not an MFA device/),
  roleWith('mfa_serial: a space', 'mfa_serial = arn:aws:iam::123456789012:mfa/al ice', /has mfa_serial "arn:aws:iam::123456789012:mfa\/al ice", which is not an MFA device/),
  roleWith('region: spaces', 'region = eu west 1', /has region "eu west 1", which is not a region name/),
  roleWith('region: a path', 'region = ../../etc', /has region "\.\.\/\.\.\/etc", which is not a region name/),
  roleWith('region: starts with a hyphen', 'region = -eu-west-1', /has region "-eu-west-1", which is not a region name/),
  roleWith('credential_source: wrong case', 'credential_source = ec2instancemetadata', /has both source_profile and credential_source/),
  configFile('credential_source: not a source', `[profile p]\nrole_arn = ${ROLE}\ncredential_source = Ec2instancemetadata\n`, /has credential_source "Ec2instancemetadata"; it must be one of Environment, Ec2InstanceMetadata, EcsContainer .*did you mean "Ec2InstanceMetadata"/),
  configFile('source_profile: does not exist', `[profile p]\nrole_arn = ${ROLE}\nsource_profile = nope\n`, /names source_profile "nope", which does not exist/),
  configFile('source_profile: a loop of two', `[profile p]\nrole_arn = ${ROLE}\nsource_profile = q\n[profile q]\nrole_arn = ${ROLE}\nsource_profile = p\n`, /makes a loop: "p" -> "q" -> "p"/),
  configFile('role_arn: no source', `[profile p]\nrole_arn = ${ROLE}\n`, /has role_arn but neither source_profile nor credential_source/),
  configFile('web_identity_token_file: not supported', `[profile p]\nrole_arn = ${ROLE}\nweb_identity_token_file = /tmp/token\n`, /uses web_identity_token_file, which rolecall does not support yet/),
  {
    name: 'keys: id in one file, secret in the other',
    files: { '.aws/config': `[profile p]\naws_access_key_id = ${KEY_ID}\n`, '.aws/credentials': `[p]\naws_secret_access_key = ${SECRET}\n` },
    argv: ['exec', 'p', '--', 'true'],
    status: 125,
    error: /profile "p" has aws_access_key_id but no aws_secret_access_key \(both keys must be in the same file\)/,
  },
  sso('sso_account_id: 5 digits', SSO_ROLE.replace('111122223333', '12345'), /has sso_account_id "12345", which is not an account id \(12 digits\)/),
  sso('sso_account_id: letters', SSO_ROLE.replace('111122223333', 'abcdefghijkl'), /has sso_account_id "abcdefghijkl", which is not an account id/),
  sso('sso_account_id: 13 digits', SSO_ROLE.replace('111122223333', '1234567890123'), /has sso_account_id "1234567890123", which is not an account id/),
  sso('sso_start_url: ftp', SSO_ROLE, /\[sso-session corp\] has sso_start_url "ftp:\/\/corp\.example", which is not an https URL/, SSO_SESSION.replace('https://corp.awsapps.com/start', 'ftp://corp.example')),
  sso('sso_start_url: plain http', SSO_ROLE, /has sso_start_url "http:\/\/corp\.awsapps\.com\/start", which is not an https URL/, SSO_SESSION.replace('https:', 'http:')),
  sso('sso_start_url: not a URL', SSO_ROLE, /has sso_start_url "corp portal", which is not an https URL/, SSO_SESSION.replace('https://corp.awsapps.com/start', 'corp portal')),
  sso('sso_region: spaces', SSO_ROLE, /has sso_region "us east 1", which is not a region name/, SSO_SESSION.replace('sso_region = us-east-1', 'sso_region = us east 1')),
  sso('sso_session: no such section', SSO_ROLE.replace('corp', 'nope'), /names sso_session "nope", which does not exist/),
  sso('sso_role_name: missing', 'sso_session = corp\nsso_account_id = 111122223333', /is configured to use IAM Identity Center \(SSO\) but is missing sso_role_name/),
  sso('sso: the legacy form without sso_region', 'sso_start_url = https://corp.awsapps.com/start\nsso_account_id = 111122223333\nsso_role_name = Dev', /is missing sso_region/, ''),
  sso('sso: a start URL that differs from the session', `${SSO_ROLE}\nsso_start_url = https://other.awsapps.com/start`, /has sso_start_url "https:\/\/other\.awsapps\.com\/start", which differs from/),
  sso('rolecall_share_sso_cache: not a boolean', SSO_ROLE, /has rolecall_share_sso_cache "maybe"; it must be true or false/, `${SSO_SESSION}rolecall_share_sso_cache = maybe\n`),

  // Flags.
  flag('--duration: a word', ['exec', '--duration', 'abc', 'r', '--', 'true'], 125, /--duration "abc" is not a duration; use e\.g\. 900s, 15m, 1h or 12h/),
  flag('--duration: 10s, too short', ['exec', '--duration', '10s', 'r', '--', 'true'], 125, /--duration 10s is too short for its role of profile "r": STS allows 900s to 43200s/),
  flag('--duration: 13h, too long', ['exec', '--duration', '13h', 'r', '--', 'true'], 125, /--duration 13h is too long for its role of profile "r"/),
  flag('--duration: 0', ['exec', '--duration', '0', 'r', '--', 'true'], 125, /--duration 0s is too short for its role of profile "r"/),
  flag('--duration: no value', ['exec', 'r', '--duration'], 125, /--duration needs a value/),
  flag('--mfa-token: letters', ['exec', '--mfa-token', '12ab', 'r', '--', 'true'], 125, /--mfa-token .*six digits/),
  flag('--mfa-token: seven digits', ['exec', '--mfa-token', '1234567', 'r', '--', 'true'], 125, /--mfa-token .*six digits/),
  flag('exec: an unknown flag', ['exec', '--frobnicate', 'r', '--', 'true'], 125, /unknown option --frobnicate; see rolecall exec --help/),
  flag('exec: a flag of import', ['exec', '--remove-plaintext', 'r', '--', 'true'], 125, /unknown option --remove-plaintext; see rolecall exec --help/),
  flag('exec: a flag of login', ['exec', '--stdout', 'r', '--', 'true'], 125, /unknown option --stdout; see rolecall exec --help/),
  flag('exec: --region with spaces', ['exec', '--region', 'eu west 1', 'r', '--', 'true'], 125, /region "eu west 1".* not a region name/),
  flag('exec: --backend of no backend', ['exec', '--backend', 'nope', 'r', '--', 'true'], 125, /--backend .*keychain.*file|backend "nope"/),
  flag('login: --duration a word', ['login', '--duration', 'abc', 'r'], 2, /--duration "abc" is not a duration/),
  flag('login: an unknown flag', ['login', '--frobnicate', 'r'], 2, /unknown option|--frobnicate/),
  flag('export: an unknown format', ['export', '--format', 'nope', 'r'], 2, /--format|nope/),
  flag('credential-process: a flag of exec', ['credential-process', '--server', 'r'], 2, /--server is not an option of credential-process; see rolecall credential-process --help/),
  flag('list: an unknown flag', ['list', '--bogus'], 2, /unknown option|--bogus/),
  flag('import: an unknown flag', ['import', '--frobnicate'], 2, /unknown option|--frobnicate/),
  flag('an unknown command', ['frobnicate'], 2, /unknown command "frobnicate"; see rolecall --help/),
  flag('hook: an unknown shell', ['hook', 'tcsh'], 1, /no hook for shell "tcsh"; rolecall supports bash and zsh/),
  flag('hook-env: an unknown shell', ['hook-env', 'tcsh'], 2, /no hook for shell "tcsh"; rolecall supports bash and zsh/),
  flag('completion: an unknown shell', ['completion', 'tcsh'], 2, /no completion for shell "tcsh"; rolecall completes in bash, zsh, fish/),

  // Profile names.
  profileName('profile name: empty', ['exec', '', '--', 'true'], 125, /profile "" is not in/),
  profileName('profile name: shell metacharacters', ['exec', 'a;rm -rf ~', '--', 'true'], 125, /profile "a;rm -rf ~" is not in/),
  profileName('profile name: a command substitution', ['exec', '$(touch pwned)', '--', 'true'], 125, /profile "\$\(touch pwned\)" is not in/),
  profileName('profile name: path traversal', ['exec', '../../etc/passwd', '--', 'true'], 125, /profile "\.\.\/\.\.\/etc\/passwd" is not in/),
  profileName('profile name: 10,000 characters', ['exec', 'p'.repeat(10_000), '--', 'true'], 125, /profile "p+\.\.\." is not in/),
  profileName('profile name: a newline', ['exec', 'a\nb', '--', 'true'], 125, /profile "a\\u000ab" is not in/),
  profileName('profile name: an escape sequence', ['exec', '\u001b]0;pwned\u0007', '--', 'true'], 125, /profile "\\u001b]0;pwned\\u0007" is not in/),
  profileName('profile name: AWS_PROFILE with a backquote', ['exec', '--', 'true'], 125, /profile "`touch pwned`" is not in/, { AWS_PROFILE: '`touch pwned`' }),
  profileName('profile name: credential-process, path traversal', ['credential-process', '../../etc/passwd'], 1, /profile "\.\.\/\.\.\/etc\/passwd" is not in/),
  profileName('profile name: export, 10,000 characters', ['export', 'x'.repeat(10_000)], 1, /profile "x+\.\.\." is not in/),
  profileName('profile name: login, metacharacters', ['login', '--stdout', '$(id)'], 1, /profile "\$\(id\)" is not in/),
  profileName('profile name: remove, path traversal', ['remove', '--force', '../../x'], 1, /\.\.\/\.\.\/x/),
  profileName('profile name: add, a bracket', ['add', 'evil]\n[profile root'], 1, /cannot be a profile name for rolecall/),
  profileName('profile name: clear, metacharacters', ['clear', '; rm -rf ~'], 1, /"; rm -rf ~"/),

  // .awsprofile contents, through the shell hook and `rolecall allow`.
  awsprofile('.awsprofile: a command substitution', '$(touch pwned)\n', /~\/proj\/\.awsprofile: "\$\(touch pwned\)" is not a valid profile name; ignored/),
  awsprofile('.awsprofile: 10,000 bytes of garbage', garbage(10_000, 3), /~\/proj\/\.awsprofile: is larger than 4096 bytes, so it is not a profile name; ignored/),
  awsprofile('.awsprofile: NUL bytes', 'dev\u0000evil\n', /"dev\\u0000evil" is not a valid profile name; ignored/),
  awsprofile('.awsprofile: invalid UTF-8', Buffer.from('d\xe9v\n', 'latin1'), /is not a valid profile name; ignored/),
  awsprofile('.awsprofile: a name with a space', '# the team\nmy profile\n', /"my profile" is not a valid profile name; ignored/),
  awsprofile('.awsprofile: a name of 129 characters', `${'a'.repeat(129)}\n`, /is not a valid profile name; ignored/),
  awsprofile('.awsprofile: an escape sequence', '\u001b[2J\n', /"\\u001b\[2J" is not a valid profile name; ignored/),
  awsprofile('allow: a command substitution', '`id`\n', /allowed ~\/proj\/\.awsprofile, but "`id`" is not a valid profile name: the hook will ignore it/, ['allow']),
  awsprofile('allow: only comments', '# nothing here\n\n', /allowed ~\/proj\/\.awsprofile, but it names no profile/, ['allow']),
  awsprofile('allow: a directory named .awsprofile', { dir: true }, /no \.awsprofile/, ['allow'], 1),
  awsprofile('allow: a FIFO named .awsprofile', { fifo: true }, /no \.awsprofile/, ['allow'], 1),

  // Helper processes.
  mfaProcess('mfa_process: prints garbage', 'echo not-a-code', /the MFA code from mfa_process of profile "m" is not six digits/),
  mfaProcess('mfa_process: prints binary bytes', "printf '\\377\\376\\000'", /the MFA code from mfa_process of profile "m" is not six digits/),
  mfaProcess('mfa_process: prints 100 MB', `head -c ${HUNDRED_MB} /dev/zero 2>/dev/null`, /mfa_process of profile "m" printed more than 1 MiB, which is no credential or code, so it was stopped/),
  mfaProcess('mfa_process: hangs', 'exec sleep 10', /mfa_process of profile "m" did not finish within 1s \(ROLECALL_HELPER_TIMEOUT\), so it was stopped/, { ROLECALL_HELPER_TIMEOUT: '1' }),
  mfaProcess('mfa_process: fails', 'exit 3', /mfa_process of profile "m" exited with status 3/),
  credentialProcess('credential_process: prints garbage', 'echo {not json', /credential_process of profile "c" printed something that is not JSON/),
  credentialProcess('credential_process: prints null', 'echo null', /credential_process of profile "c" printed JSON that is not an object/),
  credentialProcess('credential_process: prints a list', 'echo [1,2]', /credential_process of profile "c" printed JSON that is not an object/),
  credentialProcess('credential_process: Version 2', `echo '{"Version": 2, "AccessKeyId": "${KEY_ID}", "SecretAccessKey": "x"}'`, /printed Version 2; only Version 1 is defined/),
  credentialProcess('credential_process: Version an object', `echo '{"Version": {"a": 1}}'`, /printed Version \{"a":1\}; only Version 1 is defined/),
  credentialProcess('credential_process: no keys', `echo '{"Version": 1}'`, /printed no AccessKeyId and SecretAccessKey/),
  credentialProcess('credential_process: Expiration not a date', `echo '{"Version": 1, "AccessKeyId": "${KEY_ID}", "SecretAccessKey": "x", "Expiration": "soon"}'`, /printed an Expiration that is not a date/),
  credentialProcess('credential_process: prints 100 MB', `sh -c 'head -c ${HUNDRED_MB} /dev/zero 2>/dev/null'`, /credential_process of profile "c" printed more than 1 MiB/),
  credentialProcess('credential_process: hangs', 'sleep 10', /credential_process of profile "c" did not finish within 1s \(ROLECALL_HELPER_TIMEOUT\)/, { ROLECALL_HELPER_TIMEOUT: '1' }),
  credentialProcess('credential_process: an unclosed quote', "echo 'x", /credential_process of profile "c" cannot be split into a command; check its quotes/),
  credentialProcess('credential_process: no such command', '/nonexistent/helper --json', /credential_process of profile "c" could not run \(ENOENT\)/),
  credentialProcess('credential_process: killed by a signal', "sh -c 'kill -9 $$'", /credential_process of profile "c" was killed by SIGKILL/),
  {
    ...credentialProcess('credential-process: a helper printing garbage', 'echo garbage', /credential_process of profile "c" printed something that is not JSON/),
    argv: ['credential-process', 'c'],
    status: 1,
  },

  // Settings in the environment.
  credentialProcess('ROLECALL_HELPER_TIMEOUT: a word', 'echo {}', /ROLECALL_HELPER_TIMEOUT is "soon"; it must be a whole number of seconds/, { ROLECALL_HELPER_TIMEOUT: 'soon' }),
  { ...flag('ROLECALL_MIN_TTL: a word', ['exec', 'r', '--', 'true'], 125, /ROLECALL_MIN_TTL is "abc"; it must be a whole number of seconds/), env: { ROLECALL_MIN_TTL: 'abc' } },
  { ...flag('ROLECALL_LOCK_TIMEOUT: negative', ['exec', 'r', '--', 'true'], 125, /ROLECALL_LOCK_TIMEOUT is "-1"; it must be a whole number of seconds/), env: { ROLECALL_LOCK_TIMEOUT: '-1' } },
  { ...flag('ROLECALL_BACKEND: no backend', ['exec', 'r', '--', 'true'], 125, /ROLECALL_BACKEND|nope/), env: { ROLECALL_BACKEND: 'nope' } },
];
