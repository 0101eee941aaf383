/**
 * import takes a key pair by the same rule as exec (config/key-pair.ts): a
 * section with both token names gives aws_security_token, as botocore reads
 * it. Before that rule had one home, import took aws_session_token and exec
 * the other, so an imported profile ran with another token than `aws` did.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importKeys } from '../../src/admin/import-keys.js';
import { configPaths } from '../../src/config/config-paths.js';
import { loadConfig } from '../../src/config/load-config.js';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import { openFileVault } from '../../src/pipeline/open-vault.js';
import { decodeKeys } from '../../src/vault/stored-keys.js';
import { KEYS_SERVICE } from '../../src/vault/vault.js';

const home = mkdtempSync(join(tmpdir(), 'rolecall-import-'));
after(() => rmSync(home, { recursive: true, force: true }));

const SECURITY_TOKEN = 'security-token-the-older-name-botocore-reads-first';
const SESSION_TOKEN = 'session-token-the-newer-name-botocore-reads-second';

test('a section with aws_session_token and aws_security_token: import stores the token exec uses', async () => {
  mkdirSync(join(home, '.aws'));
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[both]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\naws_session_token = ${SESSION_TOKEN}\naws_security_token = ${SECURITY_TOKEN}\n`,
  );
  const env = { HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache'), ROLECALL_FILE_PASSPHRASE: 'a passphrase for this test only', ROLECALL_AGENT: 'off' };
  const printed: string[] = [];
  const status = await importKeys(env, { profiles: ['both'], removePlaintext: false, force: false, backend: 'file' }, (line) => printed.push(line));
  assert.equal(status, 0, printed.join('\n'));
  assert.match(printed[0] ?? '', /^imported the keys of profile "both" \(ASIA…MPLE\) from ~\/\.aws\/credentials into the file vault$/);
  const stored = decodeKeys((await openFileVault(env).get(KEYS_SERVICE, 'both')) as string, 'both', 'file');
  const plan = resolveProfile(loadConfig(env).profiles, { profile: 'both', env, paths: configPaths(env), noSession: true });
  assert.equal(plan.source.kind === 'profileKeys' ? plan.source.fileKeys?.sessionToken : undefined, SECURITY_TOKEN, 'exec reads the older name first');
  assert.equal(stored.sessionToken, SECURITY_TOKEN, 'import stores the same token');
});
