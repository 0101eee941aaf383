/**
 * Which profiles' cached sessions go with a profile or an Identity Center
 * session (src/cache/session-admin.ts), from a config file in a throw-away HOME.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profilesOfChain, profilesSignedInWith } from '../../src/cache/session-admin.js';

const CONFIG = `
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[profile audit]
role_arn = arn:aws:iam::444455556666:role/Auditor
source_profile = dev

[profile deeper]
role_arn = arn:aws:iam::444455556666:role/Deeper
source_profile = audit

[profile elsewhere]
sso_session = other
sso_account_id = 111122223333
sso_role_name = Developer

[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile keys]
region = eu-west-1
`;

function withHome(run: (env: { HOME: string }) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-session-admin-'));
  try {
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), CONFIG);
    run({ HOME: home });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const session = { name: 'corp', startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', scopes: ['sso:account:access'], shareWithAwsCli: false };

test('signing out of an sso-session: its SSO profiles and every role built on them, not another session\'s or the legacy form\'s', () => {
  withHome((env) => {
    assert.deepEqual([...profilesSignedInWith(env, session)].sort(), ['audit', 'deeper', 'dev']);
    const { name: _name, ...legacy } = session;
    assert.deepEqual([...profilesSignedInWith(env, legacy)].sort(), ['legacy']);
  });
});

test('clear of a role over an SSO profile takes the SSO role session below it too', () => {
  withHome((env) => {
    assert.deepEqual([...profilesOfChain(env, 'audit')].sort(), ['audit', 'dev']);
  });
});
