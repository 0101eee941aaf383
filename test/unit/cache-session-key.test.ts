import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiresIn } from '../../src/cache/expires-in.js';
import { profileOfAccount, sessionAccount, ssoRoleAccount } from '../../src/cache/session-key.js';
import { decodeSession, encodeSession, originOfSsoRole, originOfStep } from '../../src/cache/stored-session.js';
import type { AssumeRoleStep, SessionTokenStep, SourceStep } from '../../src/config/plan.js';

const ROLE: AssumeRoleStep = {
  kind: 'assumeRole',
  profile: 'app',
  roleArn: 'arn:aws:iam::123456789012:role/App',
  sessionName: 'alice',
  durationSeconds: 3600,
};
const MFA_SESSION: SessionTokenStep = { kind: 'sessionToken', profile: 'base', durationSeconds: 28_800, mfa: { serial: 'arn:aws:iam::123456789012:mfa/alice', profile: 'base' } };
const TARGET = { region: 'eu-west-1' };

test('every input that decides a session changes its account; the same inputs give the same one', () => {
  const account = sessionAccount('keys:AKIAOLD', ROLE, TARGET);
  assert.equal(sessionAccount('keys:AKIAOLD', { ...ROLE }, { ...TARGET }), account);
  const variants = [
    sessionAccount('keys:AKIANEW', ROLE, TARGET),
    sessionAccount('keys:AKIAOLD', { ...ROLE, roleArn: 'arn:aws:iam::123456789012:role/Other' }, TARGET),
    sessionAccount('keys:AKIAOLD', { ...ROLE, externalId: 'x' }, TARGET),
    sessionAccount('keys:AKIAOLD', { ...ROLE, mfa: { serial: 'arn:aws:iam::123456789012:mfa/bob', profile: 'app' } }, TARGET),
    sessionAccount('keys:AKIAOLD', { ...ROLE, sessionName: 'bob' }, TARGET),
    sessionAccount('keys:AKIAOLD', { ...ROLE, durationSeconds: 900 }, TARGET),
    sessionAccount('keys:AKIAOLD', ROLE, { region: 'us-east-1' }),
    sessionAccount('keys:AKIAOLD', ROLE, { ...TARGET, endpoint: 'http://127.0.0.1:5000' }),
    sessionAccount('session:base@00', ROLE, TARGET),
  ];
  assert.equal(new Set([account, ...variants]).size, variants.length + 1);
});

test('one MFA session per source key and serial, whichever role profile named the serial', () => {
  const viaReader = sessionAccount('keys:AKIA1', { ...MFA_SESSION, mfa: { serial: MFA_SESSION.mfa!.serial, profile: 'reader' } }, TARGET);
  const viaWriter = sessionAccount('keys:AKIA1', { ...MFA_SESSION, mfa: { serial: MFA_SESSION.mfa!.serial, profile: 'writer', process: 'echo 1' } }, TARGET);
  assert.equal(viaReader, viaWriter);
});

test('an MFA session serves every region of its partition, and no other partition', () => {
  const ireland = sessionAccount('keys:AKIA1', MFA_SESSION, { region: 'eu-west-1' });
  assert.equal(sessionAccount('keys:AKIA1', MFA_SESSION, { region: 'ap-south-1' }), ireland);
  assert.equal(sessionAccount('keys:AKIA1', MFA_SESSION, { region: 'us-east-1' }), ireland);
  assert.notEqual(sessionAccount('keys:AKIA1', MFA_SESSION, { region: 'cn-north-1' }), ireland);
  assert.notEqual(sessionAccount('keys:AKIA1', MFA_SESSION, { region: 'us-gov-west-1' }), ireland);
  assert.notEqual(sessionAccount('keys:AKIA1', MFA_SESSION, { region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' }), ireland);
  // A role's session stays keyed by region, as the issue asks.
  assert.notEqual(sessionAccount('keys:AKIA1', ROLE, { region: 'ap-south-1' }), sessionAccount('keys:AKIA1', ROLE, { region: 'eu-west-1' }));
});

test('an account names its profile, and only rolecall-made names give one back', () => {
  const account = sessionAccount('keys:AKIA1', { ...ROLE, profile: 'team@prod' }, TARGET);
  assert.match(account, /^team@prod@[0-9a-f]{40}$/);
  assert.equal(profileOfAccount(account), 'team@prod');
  assert.equal(profileOfAccount('prod'), undefined);
  assert.equal(profileOfAccount('@' + 'a'.repeat(40)), undefined);
  assert.equal(profileOfAccount('x@nothex'), undefined);
});

test('a stored session round-trips; anything else is not one', () => {
  const text = encodeSession(originOfStep(ROLE, TARGET), { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date('2030-01-01T00:00:00Z') });
  const stored = decodeSession(text);
  assert.equal(stored?.label, 'AssumeRole arn:aws:iam::123456789012:role/App');
  assert.equal(stored?.expiration, '2030-01-01T00:00:00.000Z');
  // What tells this session from the same role's in another region or of another length, for `list`.
  assert.equal(stored?.region, 'eu-west-1');
  assert.equal(stored?.durationSeconds, 3600);
  const { region: _r, durationSeconds: _d, ...older } = stored as NonNullable<typeof stored>;
  assert.equal(decodeSession(JSON.stringify(older))?.label, stored?.label, 'an entry written before region and duration were kept still reads');
  assert.equal(decodeSession(JSON.stringify({ ...stored, region: 5 })), undefined);
  assert.equal(decodeSession(JSON.stringify({ ...stored, durationSeconds: '1h' })), undefined);
  assert.equal(decodeSession('not json'), undefined);
  assert.equal(decodeSession('null'), undefined);
  assert.equal(decodeSession(JSON.stringify({ ...stored, version: 2 })), undefined);
  assert.equal(decodeSession(JSON.stringify({ ...stored, expiration: 'soon' })), undefined);
  assert.equal(decodeSession(JSON.stringify({ ...stored, secretAccessKey: '' })), undefined);
});

test('an Identity Center role session: named by the instance, account and role, found by its profile, and kept as one', () => {
  const source: Extract<SourceStep, { kind: 'ssoRole' }> = {
    kind: 'ssoRole',
    profile: 'dev',
    session: { name: 'corp', startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', scopes: ['sso:account:access'], shareWithAwsCli: false },
    accountId: '111122223333',
    roleName: 'Developer',
  };
  const portal = { region: 'us-east-1' };
  const account = ssoRoleAccount(source, portal);
  assert.equal(profileOfAccount(account), 'dev');
  assert.equal(ssoRoleAccount({ ...source, session: { ...source.session, shareWithAwsCli: true } }, portal), account, 'sharing with the AWS CLI changes no role');
  const others = [
    ssoRoleAccount({ ...source, roleName: 'ReadOnly' }, portal),
    ssoRoleAccount({ ...source, accountId: '444455556666' }, portal),
    ssoRoleAccount({ ...source, session: { ...source.session, startUrl: 'https://other.awsapps.com/start' } }, portal),
    ssoRoleAccount(source, { region: 'eu-west-1' }),
    ssoRoleAccount(source, { region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }),
  ];
  assert.equal(new Set([account, ...others]).size, 6);
  const origin = originOfSsoRole(source);
  assert.deepEqual(origin, { profile: 'dev', kind: 'ssoRole', label: 'GetRoleCredentials 111122223333/Developer (sso-session corp)', region: 'us-east-1' });
  const stored = decodeSession(encodeSession(origin, { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date() }));
  assert.equal(stored?.kind, 'ssoRole');
});

test('time left reads like "47m"', () => {
  assert.equal(expiresIn(47 * 60_000 + 59_000), '47m');
  assert.equal(expiresIn(30_000), '30s');
  assert.equal(expiresIn(-5), '0s');
  assert.equal(expiresIn(8 * 3_600_000), '8h');
  assert.equal(expiresIn(7 * 3_600_000 + 59 * 60_000), '7h 59m');
});
