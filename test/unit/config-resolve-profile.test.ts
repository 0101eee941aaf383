/**
 * resolveProfile, case by case. Where the AWS CLI has a rule, the expectation
 * is what botocore 1.43 did with the same two files (Session(profile=...)
 * .get_credentials(), walking the AssumeRoleCredentialFetcher chain, or the
 * error it raised); the comments quote it. Where rolecall does more than the
 * AWS CLI (one MFA code per chain, checks before any call), the rule
 * is tested and the comment says how botocore differs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/base/errors.js';
import { parseIni } from '../../src/config/ini-parser.js';
import type { Plan } from '../../src/config/plan.js';
import { buildProfiles } from '../../src/config/profiles.js';
import { resolveProfile, type ResolveOptions } from '../../src/config/resolve-profile.js';

const HOME = '/home/alice';
const ARN = 'arn:aws:iam::123456789012:role';
const MFA = 'arn:aws:iam::123456789012:mfa/alice';

type Options = Partial<Omit<ResolveOptions, 'paths'>> & { profile: string };

function resolve(config: string, credentials: string, options: Options): Plan {
  return resolveProfile(buildProfiles(parseIni(config), parseIni(credentials)), {
    paths: { config: `${HOME}/.aws/config`, credentials: `${HOME}/.aws/credentials` },
    userName: 'alice',
    ...options,
    env: { HOME, ...options.env },
  });
}

/**
 * The ConfigError resolving gives: one line, naming the file (with ~) and
 * the profile; returns the message for more checks.
 */
function configError(config: string, credentials: string, options: Options, file: 'config' | 'credentials', profile: string, pattern: RegExp): string {
  try {
    resolve(config, credentials, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    const message = error.message;
    assert.doesNotMatch(message, /[\n\r\u2028\u2029\u0085]/, `one line: ${JSON.stringify(message)}`);
    assert.ok(message.startsWith(`~/.aws/${file}: `), `names ~/.aws/${file}: ${message}`);
    assert.ok(message.includes(`"${profile}"`), `names profile "${profile}": ${message}`);
    assert.match(message, pattern);
    return message;
  }
  assert.fail('resolved without a ConfigError');
}

const BASE = `[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SECRETBASE\n`;
const BASE_KEYS = { accessKeyId: 'AKIDBASE', secretAccessKey: 'SECRETBASE' };

// ---------------------------------------------------------------- the chain

test('a role over a keys profile: the keys, then one AssumeRole with the defaults', () => {
  const plan = resolve(`${BASE}[profile admin]\nrole_arn = ${ARN}/admin\nsource_profile = base\n`, '', { profile: 'admin' });
  assert.deepEqual(plan, {
    profile: 'admin',
    stsRegion: 'us-east-1',
    source: { kind: 'profileKeys', profile: 'base', fileKeys: BASE_KEYS, file: '/home/alice/.aws/config' },
    steps: [{ kind: 'assumeRole', profile: 'admin', roleArn: `${ARN}/admin`, sessionName: 'rolecall-alice', durationSeconds: 3600 }],
    notes: [],
  });
});

test('a two-hop chain lists the roles base first, and external_id goes with its role', () => {
  const config = `${BASE}[profile mid]\nrole_arn = ${ARN}/mid\nsource_profile = base\nexternal_id = ext-1\n[profile top]\nrole_arn = ${ARN}/top\nsource_profile = mid\nrole_session_name = me@work\n`;
  const plan = resolve(config, '', { profile: 'top' });
  assert.equal(plan.source.profile, 'base');
  assert.deepEqual(plan.steps, [
    { kind: 'assumeRole', profile: 'mid', roleArn: `${ARN}/mid`, sessionName: 'rolecall-alice', durationSeconds: 3600, externalId: 'ext-1' },
    { kind: 'assumeRole', profile: 'top', roleArn: `${ARN}/top`, sessionName: 'me@work', durationSeconds: 3600 },
  ]);
});

test('a source profile with keys AND role_arn ends the chain with its keys', () => {
  // botocore: [config-file MID/MS, AssumeRole top]: mid's own role and its source "base" are never used.
  const config = `${BASE}[profile mid]\nrole_arn = ${ARN}/mid\nsource_profile = base\naws_access_key_id = AKIDMID\naws_secret_access_key = SECRETMID\n[profile top]\nrole_arn = ${ARN}/top\nsource_profile = mid\n`;
  const plan = resolve(config, '', { profile: 'top' });
  assert.deepEqual(plan.source, { kind: 'profileKeys', profile: 'mid', fileKeys: { accessKeyId: 'AKIDMID', secretAccessKey: 'SECRETMID' }, file: '/home/alice/.aws/config' });
  assert.deepEqual(plan.steps.map((s) => s.profile), ['top']);
});

test('the profile you name is assumed even when it has keys of its own', () => {
  // botocore: [config-file B/BS, AssumeRole top]: the AssumeRole provider comes before the key providers.
  const config = `${BASE}[profile top]\nrole_arn = ${ARN}/top\nsource_profile = base\naws_access_key_id = AKIDTOP\naws_secret_access_key = SECRETTOP\n`;
  const plan = resolve(config, '', { profile: 'top' });
  assert.equal(plan.source.profile, 'base');
  assert.deepEqual(plan.steps.map((s) => s.kind), ['assumeRole']);
});

test('a profile whose source_profile is itself, with keys: its keys assume its role', () => {
  // botocore: [config-file A/AS, AssumeRole a]
  const config = `[profile a]\nrole_arn = ${ARN}/a\nsource_profile = a\naws_access_key_id = AKIDA\naws_secret_access_key = SECRETA\n`;
  const plan = resolve(config, '', { profile: 'a' });
  assert.deepEqual(plan.source, { kind: 'profileKeys', profile: 'a', fileKeys: { accessKeyId: 'AKIDA', secretAccessKey: 'SECRETA' }, file: '/home/alice/.aws/config' });
  assert.deepEqual(plan.steps.map((s) => s.profile), ['a']);
  // Below the top, such a profile is a keys profile: its own role is skipped.
  // botocore: [config-file A/AS, AssumeRole top]
  const below = resolve(`${config}[profile top]\nrole_arn = ${ARN}/top\nsource_profile = a\n`, '', { profile: 'top' });
  assert.equal(below.source.profile, 'a');
  assert.deepEqual(below.steps.map((s) => s.profile), ['top']);
});

test('a profile whose source_profile is itself, without keys, is a loop', () => {
  // botocore: InfiniteLoopConfigError (visited ['a'])
  configError(`[profile a]\nrole_arn = ${ARN}/a\nsource_profile = a\n`, '', { profile: 'a' }, 'config', 'a', /makes a loop: "a" -> "a"; point one source_profile at a profile with keys/);
});

test('A -> B -> A is a loop, even when A has keys', () => {
  // botocore: InfiniteLoopConfigError (visited ['a', 'b']) in both cases: only a profile naming
  // itself may use its own keys.
  const loop = `[profile a]\nrole_arn = ${ARN}/a\nsource_profile = b\n[profile b]\nrole_arn = ${ARN}/b\nsource_profile = a\n`;
  configError(loop, '', { profile: 'a' }, 'config', 'b', /makes a loop: "a" -> "b" -> "a"/);
  const withKeys = loop.replace('source_profile = b\n', 'source_profile = b\naws_access_key_id = AKIDA\naws_secret_access_key = SECRETA\n');
  configError(withKeys, '', { profile: 'a' }, 'config', 'b', /makes a loop: "a" -> "b" -> "a"/);
});

test('source_profile and credential_source together are an error', () => {
  // botocore: InvalidConfigError 'The profile "a" contains both source_profile and credential_source.'
  configError(`${BASE}[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\ncredential_source = Environment\n`, '', { profile: 'a' }, 'config', 'a', /has both source_profile and credential_source; keep one/);
});

test('role_arn with neither source_profile nor credential_source is an error', () => {
  // botocore: PartialCredentialsError 'missing: source_profile or credential_source'
  configError(`[profile a]\nrole_arn = ${ARN}/a\n`, '', { profile: 'a' }, 'config', 'a', /has role_arn but neither source_profile nor credential_source; add source_profile = /);
});

test('a source_profile that does not exist is an error suggesting near names', () => {
  // botocore: InvalidConfigError 'The source_profile "bsae" referenced in the profile "a" does not exist.'
  configError(`${BASE}[profile a]\nrole_arn = ${ARN}/a\nsource_profile = bsae\n`, '', { profile: 'a' }, 'config', 'a', /names source_profile "bsae", which does not exist; did you mean "base"\?/);
});

test('a source profile without credentials in the files leaves the keys to the vault', () => {
  // botocore fails here ('The source profile "b" must have credentials.'); rolecall's keys may be
  // in its vault, so the plan says profileKeys without fileKeys and exec says `rolecall add b` later.
  const plan = resolve(`[profile b]\nregion = eu-west-1\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = b\n`, '', { profile: 'a' });
  assert.deepEqual(plan.source, { kind: 'profileKeys', profile: 'b' });
  assert.deepEqual(plan.steps.map((s) => s.profile), ['a']);
});

test('a source profile with credential_process and no role is a process source', () => {
  const plan = resolve(`[profile b]\ncredential_process = /usr/bin/get-keys --profile b\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = b\n`, '', { profile: 'a' });
  assert.deepEqual(plan.source, { kind: 'process', profile: 'b', command: '/usr/bin/get-keys --profile b' });
});

test('role_arn beside web_identity_token_file is web identity, which rolecall refuses by name', () => {
  configError(`[profile w]\nrole_arn = ${ARN}/w\nweb_identity_token_file = /tmp/token\n`, '', { profile: 'w' }, 'config', 'w', /web_identity_token_file, which rolecall does not support/);
});

// ------------------------------------------------------------- which keys

test('a key pair in the credentials file wins over one in the config file', () => {
  // botocore: shared-credentials-file CRED/CRS (and region "x" from the credentials file too).
  const plan = resolve(
    '[profile a]\nregion = c\naws_access_key_id = AKIDCFG\naws_secret_access_key = SECRETCFG\n',
    '[a]\nregion = x\naws_access_key_id = AKIDCRED\naws_secret_access_key = SECRETCRED\n',
    { profile: 'a', noSession: true },
  );
  assert.deepEqual(plan.source, { kind: 'profileKeys', profile: 'a', fileKeys: { accessKeyId: 'AKIDCRED', secretAccessKey: 'SECRETCRED' }, file: '/home/alice/.aws/credentials' });
  assert.equal(plan.region, 'x');
});

test('a key pair is never made of an id from one file and a secret from the other', () => {
  // botocore: PartialCredentialsError "in shared-credentials-file, missing: aws_secret_access_key",
  // although the config file has a whole pair.
  configError('[profile a]\naws_access_key_id = AKIDCFG\naws_secret_access_key = SECRETCFG\n', '[a]\naws_access_key_id = AKIDCRED\n', { profile: 'a' }, 'credentials', 'a', /has aws_access_key_id but no aws_secret_access_key; add it, or remove both and run `rolecall add a`/);
  // botocore: PartialCredentialsError "in config-file, missing: aws_secret_access_key".
  configError('[profile a]\naws_access_key_id = AKIDCFG\n', '[a]\naws_secret_access_key = SECRETCRED\n', { profile: 'a' }, 'config', 'a', /has aws_access_key_id but no aws_secret_access_key \(both keys must be in the same file\)/);
});

test('partial keys are an error naming the file and the profile', () => {
  configError('[profile a]\naws_access_key_id = AKIDCFG\n', '', { profile: 'a' }, 'config', 'a', /has aws_access_key_id but no aws_secret_access_key/);
  configError('', '[a]\naws_access_key_id =\naws_secret_access_key = S\n', { profile: 'a' }, 'credentials', 'a', /has aws_secret_access_key but an empty aws_access_key_id/);
  // botocore skips a profile with only a secret (no provider fires) and then finds no credentials;
  // rolecall says what is missing.
  configError('[profile a]\naws_secret_access_key = S\n', '', { profile: 'a' }, 'config', 'a', /has aws_secret_access_key but no aws_access_key_id/);
  // The name in the suggested command is quoted for the shell when it needs it.
  configError('[profile "my keys"]\naws_access_key_id = K\n', '', { profile: 'my keys' }, 'config', 'my keys', /run `rolecall add 'my keys'`$/);
  // The same rules hold for a source profile at the end of a chain.
  configError(`[profile b]\naws_access_key_id = AKIDB\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = b\n`, '', { profile: 'a' }, 'config', 'b', /has aws_access_key_id but no aws_secret_access_key/);
});

test('credential_process comes between the credentials file keys and the config file keys', () => {
  // botocore's profile providers run: credentials file, credential_process, config file.
  // Observed: config keys + credential_process -> custom-process; credentials keys + credential_process -> shared-credentials-file.
  const process = 'credential_process = get-keys\n';
  const fromProcess = resolve(`[profile a]\naws_access_key_id = AKIDCFG\naws_secret_access_key = SECRETCFG\n${process}`, '', { profile: 'a' });
  assert.deepEqual(fromProcess.source, { kind: 'process', profile: 'a', command: 'get-keys' });
  const fromCredentials = resolve(`[profile a]\n${process}`, '[a]\naws_access_key_id = AKIDCRED\naws_secret_access_key = SECRETCRED\n', { profile: 'a' });
  assert.equal(fromCredentials.source.kind === 'profileKeys' && fromCredentials.source.fileKeys?.accessKeyId, 'AKIDCRED');
});

test('a session token comes from the same file as the keys, aws_security_token first', () => {
  // botocore: token "ST" when both aws_security_token = ST and aws_session_token = SES are set;
  // a token in the config file does not join a pair from the credentials file.
  const both = resolve('[profile a]\naws_access_key_id = K\naws_secret_access_key = S\naws_security_token = ST\naws_session_token = SES\n', '', { profile: 'a' });
  assert.deepEqual(both.source.kind === 'profileKeys' && both.source.fileKeys, { accessKeyId: 'K', secretAccessKey: 'S', sessionToken: 'ST' });
  const cross = resolve('[profile a]\naws_session_token = CT\n', '[a]\naws_access_key_id = K\naws_secret_access_key = S\n', { profile: 'a', noSession: true });
  assert.deepEqual(cross.source.kind === 'profileKeys' && cross.source.fileKeys, { accessKeyId: 'K', secretAccessKey: 'S' });
});

test('[default] and [profile default] are one profile; the later section is the one used', () => {
  // botocore: region "d" with [profile default] then [default].
  const plan = resolve('[profile default]\nregion = p\n[default]\nregion = d\n', '', { profile: 'default' });
  assert.equal(plan.region, 'd');
});

// ------------------------------------------------------ credential_source

test('credential_source is Environment, Ec2InstanceMetadata or EcsContainer, spelled exactly so', () => {
  const role = (source: string) => `[profile a]\nrole_arn = ${ARN}/a\ncredential_source = ${source}\n`;
  assert.deepEqual(resolve(role('Environment'), '', { profile: 'a' }).source, { kind: 'environment', profile: 'a' });
  assert.deepEqual(resolve(role('Ec2InstanceMetadata'), '', { profile: 'a' }).source, { kind: 'instanceMetadata', profile: 'a' });
  assert.deepEqual(resolve(role('EcsContainer'), '', { profile: 'a' }).source, { kind: 'ecsContainer', profile: 'a' });
  // botocore: InvalidConfigError 'The credential source "environment" referenced in profile "a" is not valid.'
  configError(role('environment'), '', { profile: 'a' }, 'config', 'a', /has credential_source "environment"; it must be one of Environment, Ec2InstanceMetadata, EcsContainer \(spelled exactly so\); did you mean "Environment"\?/);
  configError(role('Ec2InstanceMetaData'), '', { profile: 'a' }, 'config', 'a', /did you mean "Ec2InstanceMetadata"/);
});

test('a source profile with role_arn and credential_source continues the chain from that source', () => {
  // botocore: [env E/ES, AssumeRole b, AssumeRole a]
  const plan = resolve(`[profile a]\nrole_arn = ${ARN}/a\nsource_profile = b\n[profile b]\nrole_arn = ${ARN}/b\ncredential_source = Environment\n`, '', { profile: 'a' });
  assert.deepEqual(plan.source, { kind: 'environment', profile: 'b' });
  assert.deepEqual(plan.steps.map((s) => s.profile), ['b', 'a']);
});

test('credential_source without role_arn is refused', () => {
  configError('[profile a]\ncredential_source = Environment\n', '', { profile: 'a' }, 'config', 'a', /has credential_source but no role_arn/);
});

// ------------------------------------------------------------ unknown names

test('an unknown profile names both files and suggests the nearest names', () => {
  const config = '[profile prod-admin]\n[profile prod-read]\n[profile dev]\n'; // prod-read is 4 edits away: too far
  try {
    resolve(config, '[staging]\n', { profile: 'prod-admn' });
    assert.fail('resolved');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'profile "prod-admn" is not in ~/.aws/config or ~/.aws/credentials; did you mean "prod-admin"?');
  }
  // Names are matched with their case (botocore: ProfileNotFound for "dev" when only "Dev" exists), and the hint finds it.
  assert.throws(() => resolve('[profile Dev]\n', '', { profile: 'dev' }), /profile "dev" is not in .*did you mean "Dev"\?/);
  assert.throws(() => resolve(config, '', { profile: 'zzzzzzzz' }), (error: unknown) => error instanceof ConfigError && !error.message.includes('did you mean'));
});

// -------------------------------------------------------------- durations

const ONE_ROLE = `${BASE}[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\n`;

test('duration_seconds must be a whole number of seconds', () => {
  // botocore ignores a duration_seconds int() cannot read and asks for 3600; rolecall says so instead.
  configError(`${ONE_ROLE}duration_seconds = 1h\n`, '', { profile: 'a' }, 'config', 'a', /has duration_seconds "1h"; it must be a whole number of seconds/);
  configError(`${ONE_ROLE}duration_seconds = -900\n`, '', { profile: 'a' }, 'config', 'a', /whole number of seconds/);
  assert.equal(resolve(`${ONE_ROLE}duration_seconds = 7200\n`, '', { profile: 'a' }).steps[0]?.durationSeconds, 7200);
});

test('durations outside what STS allows are refused before any call, saying who asked', () => {
  configError(`${ONE_ROLE}duration_seconds = 899\n`, '', { profile: 'a' }, 'config', 'a', /has duration_seconds 899 for its role; STS allows 900s to 43200s/);
  configError(`${ONE_ROLE}duration_seconds = 43201\n`, '', { profile: 'a' }, 'config', 'a', /STS allows 900s to 43200s/);
  assert.equal(resolve(`${ONE_ROLE}duration_seconds = 43200\n`, '', { profile: 'a' }).steps[0]?.durationSeconds, 43200);
  // The flag asked, not a file: the message names the flag as typed, and no file.
  assert.throws(() => resolve(ONE_ROLE, '', { profile: 'a', durationSeconds: 46_800 }), /^ConfigError: --duration 13h is too long for its role of profile "a": STS allows 900s to 43200s \(15m to 12h\)$/);
  assert.throws(() => resolve(ONE_ROLE, '', { profile: 'a', durationSeconds: 600 }), /--duration 10m is too short/);
  // GetSessionToken allows up to 36 hours.
  assert.equal(resolve(BASE, '', { profile: 'base', durationSeconds: 129_600 }).steps[0]?.durationSeconds, 129_600);
  assert.throws(() => resolve(BASE, '', { profile: 'base', durationSeconds: 129_601 }), /--duration 129601s is too long for the GetSessionToken session of profile "base": STS allows 900s to 129600s \(15m to 36h\)/);
});

test('--duration sets the last role; the roles below keep their own duration_seconds', () => {
  const config = `${BASE}[profile mid]\nrole_arn = ${ARN}/mid\nsource_profile = base\nduration_seconds = 1800\n[profile top]\nrole_arn = ${ARN}/top\nsource_profile = mid\n`;
  const plan = resolve(config, '', { profile: 'top', durationSeconds: 900 });
  assert.deepEqual(plan.steps.map((s) => s.durationSeconds), [1800, 900]);
});

test('a chained role asking for more than 1h is capped at 3600s with a one-line note', () => {
  const config = `${BASE}[profile mid]\nrole_arn = ${ARN}/mid\nsource_profile = base\nduration_seconds = 7200\n[profile top]\nrole_arn = ${ARN}/top\nsource_profile = mid\nduration_seconds = 7200\n`;
  const plan = resolve(config, '', { profile: 'top' });
  // The first role is assumed with user keys: not chained, 7200 stands.
  assert.deepEqual(plan.steps.map((s) => s.durationSeconds), [7200, 3600]);
  assert.equal(plan.notes.length, 1);
  assert.match(plan.notes[0] as string, /^role of profile "top" is assumed with role credentials \(role chaining\), which AWS caps at 1h; using 1h$/);
  // --duration on the second hop is capped the same way.
  assert.deepEqual(resolve(config, '', { profile: 'top', durationSeconds: 4 * 3600 }).steps.map((s) => s.durationSeconds), [7200, 3600]);
  // Instance credentials are role credentials: the first role is chained already.
  const imds = resolve(`[profile a]\nrole_arn = ${ARN}/a\ncredential_source = Ec2InstanceMetadata\nduration_seconds = 7200\n`, '', { profile: 'a' });
  assert.deepEqual([imds.steps[0]?.durationSeconds, imds.notes.length], [3600, 1]);
  assert.deepEqual(resolve(ONE_ROLE, '', { profile: 'a', durationSeconds: 7200 }).notes, []);
});

// ----------------------------------------------------------- session name

test('role_session_name must be what STS accepts; the default names rolecall and the user', () => {
  configError(`${ONE_ROLE}role_session_name = my session\n`, '', { profile: 'a' }, 'config', 'a', /has role_session_name "my session", which STS refuses; use 2 to 64 of/);
  configError(`${ONE_ROLE}role_session_name = x\n`, '', { profile: 'a' }, 'config', 'a', /which STS refuses/);
  configError(`${ONE_ROLE}role_session_name = ${'n'.repeat(65)}\n`, '', { profile: 'a' }, 'config', 'a', /which STS refuses/);
  assert.equal((resolve(`${ONE_ROLE}role_session_name = a+b=c,d.e@f_g-h\n`, '', { profile: 'a' }).steps[0] as { sessionName: string }).sessionName, 'a+b=c,d.e@f_g-h');
  assert.equal((resolve(ONE_ROLE, '', { profile: 'a', userName: 'jane doe' }).steps[0] as { sessionName: string }).sessionName, 'rolecall-jane_doe');
});

// ----------------------------------------------------------------- region

test('region: --region, then AWS_REGION, then AWS_DEFAULT_REGION, then the named profile\'s own region', () => {
  const config = `${BASE}region = eu-central-1\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\nregion = eu-west-1\n`;
  const env = { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-1' };
  assert.deepEqual(pick(resolve(config, '', { profile: 'a', region: 'ap-south-1', env })), ['ap-south-1', 'ap-south-1']);
  // botocore 1.43 (AWS CLI v1) reads only AWS_DEFAULT_REGION; the issue asks for AWS_REGION too, first, as the AWS CLI v2 does.
  assert.deepEqual(pick(resolve(config, '', { profile: 'a', env })), ['us-west-2', 'us-west-2']);
  assert.deepEqual(pick(resolve(config, '', { profile: 'a', env: { AWS_DEFAULT_REGION: 'us-west-1' } })), ['us-west-1', 'us-west-1']);
  assert.deepEqual(pick(resolve(config, '', { profile: 'a' })), ['eu-west-1', 'eu-west-1']);
  // The credentials file's region wins (botocore: "ap-south-1" over the config's "eu-west-1").
  assert.deepEqual(pick(resolve(config, '[a]\nregion = ap-south-1\n', { profile: 'a' })), ['ap-south-1', 'ap-south-1']);
});

test('region is not inherited from the source profile; STS then goes to us-east-1', () => {
  // botocore: region None for "a" although its source "base" has region eu-central-1.
  const plan = resolve(`${BASE}region = eu-central-1\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\n`, '', { profile: 'a' });
  assert.deepEqual(pick(plan), [undefined, 'us-east-1']);
  assert.ok(!('region' in plan));
});

test('a [DEFAULT] region reaches every profile of its file', () => {
  // botocore: configparser's DEFAULT section fills every section, so "a" has region "dr".
  assert.equal(resolve(`[DEFAULT]\nregion = dr\n${ONE_ROLE}`, '', { profile: 'a' }).region, 'dr');
});

function pick(plan: Plan): [string | undefined, string] {
  return [plan.region, plan.stsRegion];
}

// -------------------------------------------------------------------- MFA

test('mfa_serial on the role profile: one GetSessionToken with the MFA, then the role without it', () => {
  // botocore would put SerialNumber on the AssumeRole call and ask for a code per role; rolecall
  // asks once, on the source keys.
  const plan = resolve(`${ONE_ROLE}mfa_serial = ${MFA}\n`, '', { profile: 'a' });
  assert.deepEqual(plan.steps, [
    { kind: 'sessionToken', profile: 'base', durationSeconds: 8 * 3600, mfa: { serial: MFA, profile: 'a' } },
    { kind: 'assumeRole', profile: 'a', roleArn: `${ARN}/a`, sessionName: 'rolecall-alice', durationSeconds: 3600 },
  ]);
});

test('mfa_serial on the source profile does the same (botocore ignores a source profile\'s mfa_serial)', () => {
  const config = `${BASE}mfa_serial = ${MFA}\nmfa_process = otp-code aws\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\n`;
  const plan = resolve(config, '', { profile: 'a' });
  assert.deepEqual(plan.steps[0], { kind: 'sessionToken', profile: 'base', durationSeconds: 8 * 3600, mfa: { serial: MFA, profile: 'base', process: 'otp-code aws' } });
  assert.equal(plan.steps[1]?.mfa, undefined);
});

test('a two-hop chain with MFA: one GetSessionToken, then every role without a code', () => {
  const config = `${BASE}[profile mid]\nrole_arn = ${ARN}/mid\nsource_profile = base\n[profile top]\nrole_arn = ${ARN}/top\nsource_profile = mid\nmfa_serial = ${MFA}\nmfa_process = pass otp aws\n`;
  const plan = resolve(config, '', { profile: 'top' });
  assert.deepEqual(plan.steps.map((s) => [s.kind, s.profile, s.mfa]), [
    ['sessionToken', 'base', { serial: MFA, profile: 'top', process: 'pass otp aws' }],
    ['assumeRole', 'mid', undefined],
    ['assumeRole', 'top', undefined],
  ]);
});

test('--no-session: no GetSessionToken; each role carries its own MFA, the first one also the source\'s', () => {
  const other = 'arn:aws:iam::123456789012:mfa/other';
  const config = `${BASE}mfa_serial = ${other}\n[profile mid]\nrole_arn = ${ARN}/mid\nsource_profile = base\n[profile top]\nrole_arn = ${ARN}/top\nsource_profile = mid\nmfa_serial = ${MFA}\n`;
  const plan = resolve(config, '', { profile: 'top', noSession: true });
  assert.deepEqual(plan.steps.map((s) => [s.kind, s.profile, s.mfa?.serial]), [
    ['assumeRole', 'mid', other],
    ['assumeRole', 'top', MFA],
  ]);
});

test('temporary keys or a credential_source cannot call GetSessionToken: the role carries the MFA', () => {
  const temporary = resolve(`${BASE}aws_session_token = TOKEN\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\nmfa_serial = ${MFA}\n`, '', { profile: 'a' });
  assert.deepEqual(temporary.steps.map((s) => [s.kind, s.mfa?.serial]), [['assumeRole', MFA]]);
  const environment = resolve(`[profile a]\nrole_arn = ${ARN}/a\ncredential_source = Environment\nmfa_serial = ${MFA}\n`, '', { profile: 'a' });
  assert.deepEqual(environment.steps.map((s) => [s.kind, s.mfa?.serial]), [['assumeRole', MFA]]);
});

test('a static-keys profile gets a GetSessionToken session by default, none with --no-session', () => {
  assert.deepEqual(resolve(BASE, '', { profile: 'base' }).steps, [{ kind: 'sessionToken', profile: 'base', durationSeconds: 3600 }]);
  const withMfa = resolve(`${BASE}mfa_serial = ${MFA}\n`, '', { profile: 'base', durationSeconds: 12 * 3600 });
  assert.deepEqual(withMfa.steps, [{ kind: 'sessionToken', profile: 'base', durationSeconds: 12 * 3600, mfa: { serial: MFA, profile: 'base' } }]);
  const plain = resolve(BASE, '', { profile: 'base', noSession: true });
  assert.deepEqual(plain.steps, []);
  assert.deepEqual(plain.source, { kind: 'profileKeys', profile: 'base', fileKeys: BASE_KEYS, file: '/home/alice/.aws/config' });
  // A profile with no keys in the files (vault keys) is planned the same way.
  assert.deepEqual(resolve('[profile v]\n', '', { profile: 'v' }).steps, [{ kind: 'sessionToken', profile: 'v', durationSeconds: 3600 }]);
});

// --------------------------------------------------------------- messages

test('every message is one line even when the value in the file spans lines', () => {
  // An indented line after role_arn continues it: the value holds a newline (botocore: 'x\n  y').
  const message = configError(`[profile a]\nrole_arn = not-an-arn\n  continued\nsource_profile = a\n`, '', { profile: 'a' }, 'config', 'a', /has role_arn "not-an-arn\\u000acontinued", which is not a role ARN/);
  assert.ok(!message.includes('\n'));
  // Quoted profile names and odd characters are shown on one line too.
  configError(`[profile "my name"]\nrole_arn = ${ARN}/x\n`, '', { profile: 'my name' }, 'config', 'my name', /has role_arn but neither/);
});

test('an error names the file the offending key came from', () => {
  // role_arn comes from the credentials file here, so the message points there.
  configError('[profile a]\nregion = x\n', `[a]\nrole_arn = ${ARN}/a\n`, { profile: 'a' }, 'credentials', 'a', /has role_arn but neither/);
  configError(`[profile a]\nrole_arn = ${ARN}/a\n`, '[a]\ncredential_source = Environment\nsource_profile = a\n', { profile: 'a' }, 'credentials', 'a', /has both/);
});

// ------------------------------------------- values STS refuses, and comments

// The seed's config, as its readers paste it. botocore 1.43 keeps the text
// after # in the value (`aws configure get external_id` prints it), so the
// AWS CLI sends it to STS and gets a ValidationError; rolecall says why first.
const SEED_CONFIG = `[profile base-profile]
region = us-east-1
output = json

[profile assumed-role-profile]
role_arn = arn:aws:iam::123456789012:role/YourTargetRole
source_profile = base-profile
region = us-east-1
role_session_name = MySessionName
duration_seconds = 3600
external_id = SomeExternalId  # If required by the role
mfa_serial = arn:aws:iam::123456789012:mfa/username  # If MFA is required

[profile cross-account-role]
role_arn = arn:aws:iam::999999999999:role/CrossAccountRole
source_profile = base-profile
external_id = UniqueExternalId  # Often required for cross-account access
`;
const SEED_CREDENTIALS = '[base-profile]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SECRETBASE\n';

test("the seed's comments after a value are part of it, as for the AWS CLI, and the error says to move them", () => {
  const comment = /put the comment on a line of its own$/;
  const cross = configError(SEED_CONFIG, SEED_CREDENTIALS, { profile: 'cross-account-role' }, 'config', 'cross-account-role', /has external_id "UniqueExternalId {2}# Often required for cross-account access", which STS refuses/);
  assert.match(cross, comment);
  const mfa = configError(SEED_CONFIG, SEED_CREDENTIALS, { profile: 'assumed-role-profile' }, 'config', 'assumed-role-profile', /has (mfa_serial|external_id) "/);
  assert.match(mfa, comment);
  // With the comments on lines of their own, the same profiles resolve.
  const fixed = SEED_CONFIG.replace(/ {2}# (.*)\n/g, '\n# $1\n');
  const plan = resolve(fixed, SEED_CREDENTIALS, { profile: 'assumed-role-profile' });
  assert.deepEqual(
    plan.steps.map((s) => [s.kind, s.mfa?.serial, (s as { externalId?: string }).externalId]),
    [
      ['sessionToken', 'arn:aws:iam::123456789012:mfa/username', undefined],
      ['assumeRole', undefined, 'SomeExternalId'],
    ],
  );
  assert.equal((resolve(fixed, SEED_CREDENTIALS, { profile: 'cross-account-role' }).steps[0] as { externalId?: string }).externalId, 'UniqueExternalId');
});

test('external_id and mfa_serial must be what STS accepts', () => {
  assert.equal((resolve(`${ONE_ROLE}external_id = a:b/c=d,e.f@g+h_i-j\n`, '', { profile: 'a' }).steps[0] as { externalId?: string }).externalId, 'a:b/c=d,e.f@g+h_i-j');
  configError(`${ONE_ROLE}external_id = x\n`, '', { profile: 'a' }, 'config', 'a', /has external_id "x", which STS refuses; use 2 to 1224 of/);
  configError(`${ONE_ROLE}external_id = two words\n`, '', { profile: 'a' }, 'config', 'a', /which STS refuses/);
  configError(`${ONE_ROLE}mfa_serial = alice\n`, '', { profile: 'a' }, 'config', 'a', /has mfa_serial "alice", which is not an MFA device/);
  // On the source profile too, and a hardware token's serial is fine.
  configError(`${BASE}mfa_serial = arn:aws:iam::1:mfa/a b\n[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base\n`, '', { profile: 'a' }, 'config', 'base', /has mfa_serial/);
  assert.equal(resolve(`${ONE_ROLE}mfa_serial = GAHT12345678\n`, '', { profile: 'a' }).steps[0]?.mfa?.serial, 'GAHT12345678');
});

test("a profile's region must be a region name, unless something overrides it", () => {
  configError(`${ONE_ROLE}region = eu-west-1  ; Ireland\n`, '', { profile: 'a' }, 'config', 'a', /has region "eu-west-1 {2}; Ireland", which is not a region name.*on a line of its own$/);
  configError(`${ONE_ROLE}region = eu west\n`, '', { profile: 'a' }, 'config', 'a', /not a region name/);
  assert.equal(resolve(`${ONE_ROLE}region = eu west\n`, '', { profile: 'a', region: 'us-west-2' }).region, 'us-west-2');
  assert.equal(resolve(`${ONE_ROLE}region = eu-west-1\n`, '', { profile: 'a' }).region, 'eu-west-1');
});

test('any error about a value with a trailing comment says how to write the comment', () => {
  configError(`${ONE_ROLE}duration_seconds = 3600  # one hour\n`, '', { profile: 'a' }, 'config', 'a', /whole number of seconds.*put the comment on a line of its own$/);
  configError(`${BASE}[profile a]\nrole_arn = ${ARN}/a\nsource_profile = base # keys\n`, '', { profile: 'a' }, 'config', 'a', /names source_profile "base # keys", which does not exist.*on a line of its own$/);
  // A # inside a value with no space before it is no comment: no hint.
  const message = configError(`${ONE_ROLE}role_session_name = a#b\n`, '', { profile: 'a' }, 'config', 'a', /which STS refuses/);
  assert.doesNotMatch(message, /comment/);
});

test('a refused value shaped like a key or token is described, never printed back', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const refused = { region: secret, role_session_name: secret, duration_seconds: secret, external_id: `${secret}  # mine`, mfa_serial: 'AKIAIOSFODNN7EXAMPLE x' };
  for (const [key, value] of Object.entries(refused)) {
    const message = configError(`${ONE_ROLE}${key} = ${value}\n`, '', { profile: 'a' }, 'config', 'a', new RegExp(`has ${key} a \\d+-character value with what looks like a key or token in it \\(not shown\\)`));
    assert.ok(!message.includes(secret) && !message.includes('AKIAIOSFODNN7EXAMPLE'), message);
  }
  // An ordinary mistake is still quoted, so the user sees it.
  configError(`${ONE_ROLE}region = eu west 1\n`, '', { profile: 'a' }, 'config', 'a', /has region "eu west 1"/);
  configError(`${ONE_ROLE}external_id = UniqueExternalId  # a comment\n`, '', { profile: 'a' }, 'config', 'a', /has external_id "UniqueExternalId {2}# a comment"/);
});

test('a misspelt key is named, with the key it was probably meant to be', () => {
  // Ignored by botocore, so the profile is a keys profile without keys: the note says why.
  const plan = resolve(`${BASE}[profile typo]\nrole-arn = ${ARN}/x\nsource_profile = base\noutput = json\ns3 =\n  max_concurrent_requests = 2\n`, '', { profile: 'typo' });
  assert.deepEqual(plan.notes, ['~/.aws/config: profile "typo" has "role-arn" (did you mean role_arn?), which neither the AWS CLI nor rolecall reads']);
  configError(`${BASE}[profile a]\nrole_arn = ${ARN}/a\nsource_proifle = base\n`, '', { profile: 'a' }, 'config', 'a', /has role_arn but neither source_profile nor credential_source; .*; it also has "source_proifle" \(did you mean source_profile\?\)/);
  configError('[profile base]\n', '[base]\naws_access_key_id = AKIDBASE\naws_secret_acess_key = SECRETBASE\n', { profile: 'base' }, 'credentials', 'base', /it also has "aws_secret_acess_key" \(did you mean aws_secret_access_key\?\)/);
  // Keys the AWS CLI reads and rolecall does not are no typos.
  assert.deepEqual(resolve(`${ONE_ROLE}output = json\ncli_pager =\nsso_region = eu-west-1\n`, '', { profile: 'a' }).notes, []);
});
