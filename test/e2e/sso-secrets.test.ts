/**
 * An Identity Center token is a secret like the keys: for each backend,
 * through exec (cold and warm, --debug), credential-process and export over
 * an SSO profile, neither the token nor the role session's secret reaches
 * a process's argv, rolecall's stderr, or a plain-text file under HOME
 * (the session is not shared with the AWS CLI here, so nothing is written
 * to ~/.aws/sso).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { plantVaultToken, ssoSession, ssoWorldForSuite, START_URL } from '../helpers/sso-world.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName } from './vault-harness.js';
import { filesHolding, watchArgv } from '../helpers/secret-scan.js';

describe('SSO tokens and role sessions are never plain text', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  for (const backend of BACKENDS) {
    test(`${backend} backend`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'sh') || !(await requireBackend(t, backend))) return;
      const box = suite.world.sandbox(backendEnv(backend));
      // The keychain is one per D-Bus session: a session and a profile of this test's own.
      const name = uniqueName('sso-secrets');
      box.write('.aws/config', `[sso-session ${name}]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\n\n[profile ${name}]\nsso_session = ${name}\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = eu-west-1\n`);
      const token = suite.world.identityCenter.state.issueToken({ refresh: true });
      const session = ssoSession(name);
      await plantVaultToken(box, session, token);
      t.after(async () => {
        await runRolecall(box, ['clear', name]);
        const { forgetToken } = await import('../../src/sso/token-store.js');
        const { openVault } = await import('../../src/pipeline/open-vault.js');
        const vault = await openVault(box.env);
        await forgetToken(session, { env: box.env, processEnv: box.env, vault: async () => vault });
      });

      const argv = watchArgv([token.accessToken, token.refreshToken as string]);
      const printEnv = ['sh', '-c', 'printf "%s\\n%s\\n" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"'];
      const cold = await runRolecall(box, ['exec', '--debug', name, '--', ...printEnv]);
      assert.equal(cold.status, 0, cold.stderr);
      const [secret, sessionToken] = cold.stdout.trim().split('\n');
      assert.ok(secret && sessionToken, cold.stdout);
      assert.match(cold.stderr, /GetRoleCredentials 111122223333\/Developer/, 'the cold exec called the portal');
      const warm = await runRolecall(box, ['exec', '--debug', name, '--', ...printEnv]);
      assert.equal(warm.stdout, cold.stdout, 'the warm exec gave the cached role session');
      const processJson = await runRolecall(box, ['credential-process', '--debug', name]);
      assert.equal(processJson.status, 0, processJson.stderr);
      const exported = await runRolecall(box, ['export', '--debug', name]);
      assert.equal(exported.status, 0, exported.stderr);
      assert.deepEqual(argv.stop(), [], 'no token in any argv');

      const secrets = [token.accessToken, token.refreshToken as string, secret, sessionToken];
      assert.deepEqual(filesHolding(box, secrets), []);
      for (const run of [cold, warm, processJson, exported]) {
        for (const s of secrets) assert.ok(!run.stderr.includes(s), `no secret in --debug output: ${run.stderr}`);
      }
    });
  }
});
