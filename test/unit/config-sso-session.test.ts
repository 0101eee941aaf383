/**
 * IAM Identity Center in the config file (src/config/sso-session.ts), read
 * through resolveProfile as exec reads it. Each error is botocore 1.43's
 * condition (`aws --profile P sts get-caller-identity` with the same file;
 * its message is quoted above each case), given as rolecall's one line that
 * names the file, the profile or section, and the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/base/errors.js';
import { parseIni } from '../../src/config/ini-parser.js';
import type { Plan } from '../../src/config/plan.js';
import { buildProfiles } from '../../src/config/profiles.js';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import { ssoSessionLabel, ssoSessionSections } from '../../src/config/sso-session.js';

const HOME = '/home/alice';
const SESSION = '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n';
const ROLE = 'sso_account_id = 111122223333\nsso_role_name = Developer\n';

function resolve(config: string, profile: string, credentials = ''): Plan {
  const ini = parseIni(config);
  return resolveProfile(buildProfiles(ini, parseIni(credentials)), {
    profile,
    env: { HOME },
    paths: { config: `${HOME}/.aws/config`, credentials: `${HOME}/.aws/credentials` },
    ssoSessions: ssoSessionSections(ini),
  });
}

function refused(config: string, profile: string, pattern: RegExp): void {
  assert.throws(
    () => resolve(config, profile),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.message.split('\n').length, 1, 'one line');
      assert.match(error.message, /^~\/\.aws\/config: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('a profile naming an sso-session: GetRoleCredentials of its account and role, the session read from the section', () => {
  const plan = resolve(`${SESSION}[sso-session "other one"]\nsso_start_url = https://o.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access, codewhisperer:completions\nrolecall_share_sso_cache = true\n[profile dev]\nsso_session = corp\n${ROLE}region = eu-west-1\n[profile o]\nsso_session = other one\n${ROLE}`, 'dev');
  assert.deepEqual(plan.source, {
    kind: 'ssoRole',
    profile: 'dev',
    session: { name: 'corp', startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', scopes: ['sso:account:access'], shareWithAwsCli: false },
    accountId: '111122223333',
    roleName: 'Developer',
  });
  assert.deepEqual(plan.steps, []);
  // region is STS's and the child's; sso_region only the portal's.
  assert.equal(plan.region, 'eu-west-1');
  assert.equal(plan.stsRegion, 'eu-west-1');
  const other = resolve(`${SESSION}[sso-session "other one"]\nsso_start_url = https://o.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access, codewhisperer:completions\nrolecall_share_sso_cache = true\n[profile o]\nsso_session = other one\n${ROLE}`, 'o');
  assert.ok(other.source.kind === 'ssoRole');
  // A section name is split like a shell word, as botocore does; scopes are a comma-separated list.
  assert.deepEqual(other.source.session, { name: 'other one', startUrl: 'https://o.awsapps.com/start', region: 'eu-west-1', scopes: ['sso:account:access', 'codewhisperer:completions'], shareWithAwsCli: true });
  assert.equal(other.region, undefined);
  assert.equal(other.stsRegion, 'us-east-1');
});

test('the legacy form: sso_start_url and sso_region in the profile itself, a session with no name', () => {
  const plan = resolve(`[profile old]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-north-1\n${ROLE}`, 'old');
  assert.ok(plan.source.kind === 'ssoRole');
  assert.deepEqual(plan.source.session, { startUrl: 'https://corp.awsapps.com/start', region: 'eu-north-1', scopes: ['sso:account:access'], shareWithAwsCli: false });
  assert.equal(ssoSessionLabel(plan.source.session), 'start URL "https://corp.awsapps.com/start"');
});

test('an SSO profile comes before key pairs and credential_process, as botocore orders its providers', () => {
  const plan = resolve(`${SESSION}[profile dev]\nsso_session = corp\n${ROLE}credential_process = echo\n`, 'dev', '[dev]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n');
  assert.equal(plan.source.kind, 'ssoRole');
});

test('an SSO profile as source_profile: the role is assumed with the SSO role credentials, capped at 1h as a chained role', () => {
  const plan = resolve(`${SESSION}[profile dev]\nsso_session = corp\n${ROLE}[profile audit]\nrole_arn = arn:aws:iam::444455556666:role/Auditor\nsource_profile = dev\nduration_seconds = 7200\nregion = eu-central-1\n`, 'audit');
  assert.equal(plan.source.kind, 'ssoRole');
  assert.equal(plan.source.profile, 'dev');
  assert.deepEqual(
    plan.steps.map((step) => [step.kind, step.profile, step.kind === 'assumeRole' ? step.roleArn : '', step.durationSeconds]),
    [['assumeRole', 'audit', 'arn:aws:iam::444455556666:role/Auditor', 3600]],
  );
  assert.match(plan.notes.join('\n'), /role chaining/);
  assert.equal(plan.region, 'eu-central-1');
});

test('missing sso_account_id or sso_role_name', () => {
  // botocore: The profile "norole" is configured to use SSO but is missing required configuration: sso_role_name
  refused(`${SESSION}[profile norole]\nsso_session = corp\nsso_account_id = 111122223333\n`, 'norole', /profile "norole" is configured to use IAM Identity Center \(SSO\) but is missing sso_role_name; `rolecall sso profiles` prints ready sections$/);
  refused(`${SESSION}[profile noacct]\nsso_session = corp\nsso_role_name = R\n`, 'noacct', /profile "noacct" is configured to use IAM Identity Center \(SSO\) but is missing sso_account_id;/);
  refused(`${SESSION}[profile bad]\nsso_session = corp\nsso_account_id = 1111-2222-3333\nsso_role_name = R\n`, 'bad', /profile "bad" has sso_account_id "1111-2222-3333", which is not an account id \(12 digits\)$/);
});

test('missing sso_start_url or sso_region: in the legacy profile, or in the sso-session section', () => {
  // botocore: The profile "legacy-missing" is configured to use SSO but is missing required configuration: sso_region
  refused(`[profile old]\nsso_start_url = https://corp.awsapps.com/start\n${ROLE}`, 'old', /profile "old" is configured to use IAM Identity Center \(SSO\) but is missing sso_region; add sso_session = NAME/);
  refused(`[profile old]\n${ROLE}`, 'old', /but is missing sso_start_url, sso_region;/);
  // botocore: The profile "noregion" is configured to use SSO but is missing required configuration: sso_region
  refused(`[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n[profile dev]\nsso_session = corp\n${ROLE}`, 'dev', /\[sso-session corp\] has no sso_region; add sso_region = us-east-1 \(the region of IAM Identity Center\)$/);
  refused(`[sso-session corp]\nsso_region = us-east-1\n[profile dev]\nsso_session = corp\n${ROLE}`, 'dev', /\[sso-session corp\] has no sso_start_url; add sso_start_url = /);
  refused(`[sso-session corp]\nsso_start_ulr = https://corp.awsapps.com/start\nsso_region = us-east-1\n[profile dev]\nsso_session = corp\n${ROLE}`, 'dev', /\[sso-session corp\] has no sso_start_url; .*; it also has "sso_start_ulr" \(did you mean sso_start_url\?\), which neither the AWS CLI nor rolecall reads$/);
  refused(`[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1 # main\n[profile dev]\nsso_session = corp\n${ROLE}`, 'dev', /\[sso-session corp\] has sso_region "us-east-1 # main", which is not a region name/);
});

test('a profile whose sso_start_url (or sso_region) differs from its session\'s', () => {
  // botocore: The value for sso_start_url is inconsistent between profile (https://b…) and sso-session (https://a…).
  refused(`${SESSION}[profile dev]\nsso_session = corp\nsso_start_url = https://other.awsapps.com/start\n${ROLE}`, 'dev', /profile "dev" has sso_start_url "https:\/\/other\.awsapps\.com\/start", which differs from "https:\/\/corp\.awsapps\.com\/start" of \[sso-session corp\] \(the AWS CLI refuses that too\); remove it from the profile$/);
  refused(`${SESSION}[profile dev]\nsso_session = corp\nsso_region = eu-west-1\n${ROLE}`, 'dev', /has sso_region "eu-west-1", which differs from "us-east-1" of \[sso-session corp\]/);
  // The same value in both places is no conflict.
  assert.equal(resolve(`${SESSION}[profile dev]\nsso_session = corp\nsso_region = us-east-1\n${ROLE}`, 'dev').source.kind, 'ssoRole');
});

test('an sso_session naming a section that does not exist', () => {
  // botocore: The specified sso-session does not exist: "nope"
  refused(`${SESSION}[profile dev]\nsso_session = crop\n${ROLE}`, 'dev', /profile "dev" names sso_session "crop", which does not exist: add an \[sso-session crop\] section to the config file; did you mean "corp"\?$/);
});

test('a profile with only sso_session gives no credentials: said, with how to sign in with it', () => {
  // botocore skips its SSO provider then and ends with "Unable to locate credentials".
  refused(`${SESSION}[profile signin]\nsso_session = corp\n`, 'signin', /profile "signin" names an IAM Identity Center session but no sso_account_id and sso_role_name, so it gives no credentials \(it can sign in: `rolecall sso login signin`\)/);
});

test('rolecall_share_sso_cache is true or false', () => {
  refused(`[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nrolecall_share_sso_cache = yes\n[profile dev]\nsso_session = corp\n${ROLE}`, 'dev', /\[sso-session corp\] has rolecall_share_sso_cache "yes"; it must be true or false$/);
});

test('ssoSessionSections: sections starting with sso-session and of two shell words, named by the second, as botocore reads them', () => {
  const sections = ssoSessionSections(parseIni(`${SESSION}[profile corp]\nregion = x\n[sso-session]\nsso_region = x\n[sso-session a b]\nsso_region = y\n[sso-sessionfoo bar]\nsso_region = z\n`));
  assert.deepEqual([...sections.keys()], ['corp', 'bar']);
});
