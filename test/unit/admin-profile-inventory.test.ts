import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildProfiles } from '../../src/config/profiles.js';
import { parseIni } from '../../src/config/ini-parser.js';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import { inventory } from '../../src/admin/profile-inventory.js';

const paths = { config: '/h/.aws/config', credentials: '/h/.aws/credentials' };

function config(configText: string, credentialsText: string) {
  return { paths, profiles: buildProfiles(parseIni(configText), parseIni(credentialsText)), ssoSessions: new Map() };
}

test('each profile says what it is and where the keys at the bottom of its chain live', () => {
  const loaded = config(
    [
      '[profile vaulted]',
      '[profile role]',
      'role_arn = arn:aws:iam::123456789012:role/R',
      'source_profile = vaulted',
      '[profile deep]',
      'role_arn = arn:aws:iam::123456789012:role/D',
      'source_profile = role',
      '[profile envrole]',
      'role_arn = arn:aws:iam::123456789012:role/E',
      'credential_source = Environment',
      '[profile proc]',
      'credential_process = /bin/echo',
      '[profile bare]',
      'region = x',
      '[profile overbare]',
      'role_arn = arn:aws:iam::123456789012:role/O',
      'source_profile = bare',
      '[default]',
      'region = eu-west-1',
      'output = json',
    ].join('\n'),
    '[plain]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n',
  );
  const expiration = new Date(Date.now() + 3_600_000);
  const lines = inventory({}, loaded, { backend: 'keychain', accounts: new Set(['vaulted']) }, new Map([['role', [{ label: 'AssumeRole arn:aws:iam::123456789012:role/R', expiration }]]]));
  assert.deepEqual(
    lines.map((l) => [l.profile, l.kind, l.keys, l.keysOf]),
    [
      ['bare', 'settings only', 'none', undefined],
      ['deep', 'role over role', 'keychain', 'vaulted'],
      ['default', 'settings only', 'none', undefined],
      ['envrole', 'role via Environment', undefined, undefined],
      ['overbare', 'role over bare', 'none', 'bare'],
      ['plain', 'keys', 'credentials file', undefined],
      ['proc', 'process', undefined, undefined],
      ['role', 'role over vaulted', 'keychain', 'vaulted'],
      ['vaulted', 'keys', 'keychain', undefined],
    ],
  );
  assert.deepEqual(lines.find((l) => l.profile === 'role')?.sessions, [{ label: 'AssumeRole arn:aws:iam::123456789012:role/R', expiration }]);
  assert.ok(!JSON.stringify(lines).includes('"s"'), 'no secret in the inventory');
});

test('a profile with only settings is "settings only" until its keys are in the vault; exec resolves it to those keys', () => {
  const loaded = config('[default]\nregion = eu-west-1\n', '');
  const plan = resolveProfile(loaded.profiles, { profile: 'default', env: {}, paths, noSession: true });
  assert.deepEqual(plan.source, { kind: 'profileKeys', profile: 'default' }, 'exec looks for the keys of default in the vault, and finds none in the files');
  const [without] = inventory({}, loaded, { backend: 'file', accounts: new Set() }, new Map());
  assert.deepEqual([without?.kind, without?.keys], ['settings only', 'none']);
  const [withKeys] = inventory({}, loaded, { backend: 'file', accounts: new Set(['default']) }, new Map());
  assert.deepEqual([withKeys?.kind, withKeys?.keys], ['keys', 'file vault']);
});
