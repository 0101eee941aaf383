/**
 * Where Identity Center tokens are kept (src/sso/token-store.ts, with the
 * AWS CLI's cache of src/sso/aws-cli-token-cache.ts): the vault first, then
 * the AWS CLI's file; the AWS CLI's file written, 0600 and in its format,
 * only for a shared session; and tokenFor's 15 minutes (session-token.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SsoSession, SsoToken } from '../../src/sso/sso-token.js';
import { forgetRefusedToken, forgetToken, loadStoredToken, loadToken, saveToken } from '../../src/sso/token-store.js';
import { tokenFor } from '../../src/sso/session-token.js';
import { MemoryVault } from '../../src/vault/memory-vault.js';
import { SSO_TOKENS_SERVICE } from '../../src/vault/vault.js';
import type { SsoContext } from '../../src/sso/sso-context.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const START_URL = 'https://corp.awsapps.com/start';

function session(overrides: Partial<SsoSession> = {}): SsoSession {
  return { name: 'corp', startUrl: START_URL, region: 'eu-west-1', scopes: ['sso:account:access'], shareWithAwsCli: false, ...overrides };
}

function token(minutes: number, name = 'a'): SsoToken {
  return { accessToken: `aoa-${name}-${minutes}`, expiresAt: new Date(NOW + minutes * 60_000) };
}

function world(): { context: SsoContext; home: string; vault: MemoryVault; cacheFile: (name: string) => string; done: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-sso-store-'));
  const vault = new MemoryVault();
  return {
    home,
    vault,
    context: { env: { HOME: home }, processEnv: { HOME: home }, vault: async () => vault, now: () => NOW },
    cacheFile: (name) => join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(name).digest('hex')}.json`),
    done: () => rmSync(home, { recursive: true, force: true }),
  };
}

function plantAwsCli(file: string, content: Record<string, unknown>): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(content));
}

test('the vault first, then the AWS CLI cache; a token with under 15 minutes gives way to one with more', async () => {
  const w = world();
  try {
    assert.equal(await loadToken(session(), w.context), undefined);
    plantAwsCli(w.cacheFile('corp'), { startUrl: START_URL, region: 'eu-west-1', accessToken: 'aoa-cli', expiresAt: '2026-12-01T12:00:00Z' });
    assert.deepEqual(await loadStoredToken(session(), w.context), { token: { accessToken: 'aoa-cli', expiresAt: new Date('2026-12-01T12:00:00Z') }, from: 'aws-cli' });
    await saveToken(session(), token(60, 'vault'), w.context);
    assert.equal((await loadToken(session(), w.context))?.accessToken, 'aoa-vault-60');
    await saveToken(session(), token(10, 'vault'), w.context);
    assert.equal((await loadToken(session(), w.context))?.accessToken, 'aoa-cli', 'the vault token has 10 minutes left');
    // Not shared: the AWS CLI's file is the AWS CLI's, untouched.
    assert.equal(JSON.parse(readFileSync(w.cacheFile('corp'), 'utf8')).accessToken, 'aoa-cli');
  } finally {
    w.done();
  }
});

test('the AWS CLI file of another start URL (the section was edited) is not used; the legacy form is named by its start URL', async () => {
  const w = world();
  try {
    plantAwsCli(w.cacheFile('corp'), { startUrl: 'https://old.awsapps.com/start', accessToken: 'aoa-old', expiresAt: '2026-12-01T12:00:00Z' });
    assert.equal(await loadToken(session(), w.context), undefined);
    plantAwsCli(w.cacheFile(START_URL), { startUrl: START_URL, accessToken: 'aoa-legacy', expiresAt: '2026-12-01T12:00:00Z' });
    const legacy = session();
    delete (legacy as { name?: string }).name;
    assert.equal((await loadToken(legacy, w.context))?.accessToken, 'aoa-legacy');
  } finally {
    w.done();
  }
});

test('the AWS CLI format read with its registration and refresh token, and written so for a shared session, 0600', async () => {
  const w = world();
  try {
    plantAwsCli(w.cacheFile('corp'), {
      startUrl: START_URL,
      region: 'eu-west-1',
      accessToken: 'aoa-cli',
      expiresAt: '2026-12-01T10:05:00Z',
      clientId: 'cid',
      clientSecret: 'csecret',
      registrationExpiresAt: '2027-03-01T10:00:00Z',
      refreshToken: 'aor-cli',
    });
    const read = await loadToken(session(), w.context);
    assert.equal(read?.refreshToken, 'aor-cli');
    assert.deepEqual(read?.registration, { clientId: 'cid', clientSecret: 'csecret', expiresAt: new Date('2027-03-01T10:00:00Z'), scopes: ['sso:account:access'] });

    const shared = session({ shareWithAwsCli: true });
    await saveToken(shared, { ...token(480, 'new'), refreshToken: 'aor-new', registration: read!.registration! }, w.context);
    assert.equal(statSync(w.cacheFile('corp')).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(w.cacheFile('corp'), 'utf8')), {
      startUrl: START_URL,
      region: 'eu-west-1',
      accessToken: 'aoa-new-480',
      expiresAt: '2026-12-01T18:00:00Z',
      clientId: 'cid',
      clientSecret: 'csecret',
      registrationExpiresAt: '2027-03-01T10:00:00Z',
      refreshToken: 'aor-new',
    });
    assert.ok(await w.vault.get(SSO_TOKENS_SERVICE, 'sso-session:corp'));
  } finally {
    w.done();
  }
});

test('tokenFor: a stored token with more than 15 minutes; else the line that says to sign in; sharing turned on later shares at the next use', async () => {
  const w = world();
  try {
    await assert.rejects(tokenFor(session(), w.context, 'dev'), /^RolecallError: no valid IAM Identity Center token for sso-session "corp"; run `rolecall sso login dev`$/);
    await saveToken(session(), token(30), w.context);
    assert.equal((await tokenFor(session(), w.context, 'dev')).accessToken, 'aoa-a-30');
    assert.equal(existsSync(w.cacheFile('corp')), false);
    await tokenFor(session({ shareWithAwsCli: true }), w.context, 'dev');
    assert.equal(JSON.parse(readFileSync(w.cacheFile('corp'), 'utf8')).accessToken, 'aoa-a-30');
    // Under 15 minutes and no sign-in here: still used while it lasts (obtain-token.ts, until a refresh can be made).
    await saveToken(session(), token(5), w.context);
    rmSync(w.cacheFile('corp'));
    assert.equal((await tokenFor(session(), w.context, 'dev')).accessToken, 'aoa-a-5');
    await saveToken(session(), token(-1), w.context);
    await assert.rejects(tokenFor(session(), w.context, "it's"), /run `rolecall sso login 'it'\\''s'`$/);
  } finally {
    w.done();
  }
});

test('forgetToken (logout): the vault entry, and the AWS CLI file of the session, whoever wrote it; a file of another start URL stays', async () => {
  const w = world();
  try {
    plantAwsCli(w.cacheFile('corp'), { startUrl: START_URL, accessToken: 'aoa-theirs', expiresAt: '2026-12-01T12:00:00Z' });
    await saveToken(session(), token(60), w.context);
    await forgetToken(session(), w.context);
    assert.equal(await w.vault.get(SSO_TOKENS_SERVICE, 'sso-session:corp'), undefined);
    assert.equal(existsSync(w.cacheFile('corp')), false, 'a signed-out token is not left in plain text');
    await saveToken(session({ shareWithAwsCli: true }), token(60), w.context);
    await forgetToken(session(), w.context);
    assert.equal(existsSync(w.cacheFile('corp')), false, 'the copy rolecall shared goes with it');
    plantAwsCli(w.cacheFile('corp'), { startUrl: 'https://other.awsapps.com/start', accessToken: 'aoa-other', expiresAt: '2026-12-01T12:00:00Z' });
    await forgetToken(session(), w.context);
    assert.ok(existsSync(w.cacheFile('corp')), 'a token of another Identity Center is not this session\'s');
  } finally {
    w.done();
  }
});

test('a token renewed from the AWS CLI\'s copy, or replacing a shared one, is written to the AWS CLI\'s file too, and the vault remembers it is shared', async () => {
  const w = world();
  const registration = { clientId: 'client-1', clientSecret: 'secret-1', expiresAt: new Date(NOW + 86_400_000), scopes: ['sso:account:access'] };
  try {
    // The AWS CLI's own sign-in, which rolecall renews (spending its refresh token).
    plantAwsCli(w.cacheFile('corp'), { startUrl: START_URL, accessToken: 'aoa-cli', expiresAt: '2026-12-01T10:05:00Z', refreshToken: 'r-1', clientId: 'client-1', clientSecret: 'secret-1', registrationExpiresAt: '2026-12-02T10:00:00Z' });
    const fromFile = await loadToken(session(), w.context);
    assert.equal(fromFile?.accessToken, 'aoa-cli');
    await saveToken(session(), { accessToken: 'aoa-renewed', expiresAt: new Date(NOW + 3_600_000), refreshToken: 'r-2', registration }, w.context, fromFile);
    assert.equal(JSON.parse(readFileSync(w.cacheFile('corp'), 'utf8')).accessToken, 'aoa-renewed', 'written back');
    assert.equal(JSON.parse(readFileSync(w.cacheFile('corp'), 'utf8')).refreshToken, 'r-2');
    assert.equal(JSON.parse((await w.vault.get(SSO_TOKENS_SERVICE, 'sso-session:corp')) ?? '{}').sharedWithAwsCli, true);

    // The next renewal, of the vault's entry, is written there too, though the session is not shared in the config.
    const fromVault = await loadToken(session(), w.context);
    await saveToken(session(), { accessToken: 'aoa-third', expiresAt: new Date(NOW + 7_200_000), refreshToken: 'r-3', registration }, w.context, fromVault);
    assert.equal(JSON.parse(readFileSync(w.cacheFile('corp'), 'utf8')).accessToken, 'aoa-third');
  } finally {
    w.done();
  }
});

test('forgetRefusedToken forgets the refused token only where it is still the one kept: a newer token stored meanwhile stays', async () => {
  const w = world();
  try {
    await saveToken(session(), token(60, 'refused'), w.context);
    // A second tab's sign-in stored a newer token before the refusal was handled.
    await saveToken(session(), token(60, 'newer'), w.context);
    plantAwsCli(w.cacheFile('corp'), { startUrl: START_URL, accessToken: 'aoa-theirs', expiresAt: '2026-12-01T12:00:00Z' });
    await forgetRefusedToken(session(), w.context, 'aoa-refused-60');
    assert.equal((await loadToken(session(), w.context))?.accessToken, 'aoa-newer-60', 'the newer token stays');
    assert.ok(existsSync(w.cacheFile('corp')), "the AWS CLI's other token stays");

    await forgetRefusedToken(session(), w.context, 'aoa-newer-60');
    assert.equal(await w.vault.get(SSO_TOKENS_SERVICE, 'sso-session:corp'), undefined, 'the refused one, still kept, goes');
    await forgetRefusedToken(session(), w.context, 'aoa-theirs');
    assert.equal(existsSync(w.cacheFile('corp')), false, "the AWS CLI's file holding the refused token goes");
  } finally {
    w.done();
  }
});
