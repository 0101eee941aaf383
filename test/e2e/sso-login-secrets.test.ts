/**
 * What a sign-in handles is secret: the client secret, the authorization
 * code, the PKCE verifier, the device code, the access and refresh tokens.
 * For each backend, through both flows and a refresh, with --debug, none of
 * them reaches the argv of any process (the browser is given only the page's
 * URL), rolecall's stdout or stderr, or a plain-text file under HOME (no
 * sharing with the AWS CLI here).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oidcControls } from '../helpers/fake-sso-oidc.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult } from '../helpers/sandbox.js';
import { ssoWorldForSuite, START_URL } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { runWithoutTerminal, withBrowser } from './sso-login-harness.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName } from './vault-harness.js';
import { filesHolding, watchProcesses } from '../helpers/secret-scan.js';

describe('a sign-in leaks none of its secrets', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  for (const backend of BACKENDS) {
    test(`${backend} backend`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws') || !(await requireBackend(t, backend))) return;
      const box = suite.world.sandbox(backendEnv(backend));
      // The keychain is one per D-Bus session: a session and a profile of this test's own.
      const name = uniqueName('sso-login-secrets');
      const browser = withBrowser(box, `[sso-session ${name}]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\n\n[profile ${name}]\nsso_session = ${name}\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = eu-west-1\n`);
      t.after(async () => {
        await runRolecall(box, ['sso', 'logout', name]);
      });
      const state = suite.world.identityCenter.state;
      // Inside the refresh window: the exec below refreshes.
      state.tokenSeconds = 600;
      t.after(() => {
        state.tokenSeconds = 3600;
      });
      // The secrets are known only once the sign-ins are done: every argv is kept.
      const argv = watchProcesses();
      const runs: RunResult[] = [];
      runs.push(await runRolecall(box, ['sso', 'login', '--debug', name], { env: browser }));
      runs.push(await runRolecall(box, ['sso', 'login', '--debug', '--use-device-code', name], { env: browser }));
      runs.push(await runWithoutTerminal(box, ['exec', '--debug', name, '--', ...CALLER_ARN], { env: browser }));
      const seen = argv.stop().map((process) => process.argv);
      for (const run of runs) assert.equal(run.status, 0, run.stderr);
      assert.ok(state.count('CreateToken:authorization_code') >= 1 && state.count('CreateToken:device_code') >= 1 && state.count('CreateToken:refresh_token') >= 1, 'both flows and a refresh ran');

      const controls = oidcControls(state);
      const secrets = [
        ...[...controls.clients.values()].map((client) => client.clientSecret),
        ...controls.codes.keys(),
        ...controls.verifiers,
        ...controls.deviceCodes.keys(),
        ...[...state.tokens.values()].flatMap((token) => [token.accessToken, ...(token.refreshToken ? [token.refreshToken] : [])]),
      ];
      assert.ok(secrets.length >= 8, `secrets to look for: ${secrets.length}`);
      assert.ok(seen.some((line) => line.includes('/authorize?')), "the scan saw the browser's argv (the page's URL, and no secret in it)");
      assert.deepEqual(seen.filter((line) => secrets.some((secret) => line.includes(secret))), [], 'no secret in any argv');
      for (const run of runs) {
        for (const secret of secrets) {
          assert.ok(!run.stderr.includes(secret), `a secret in stderr:\n${run.stderr}`);
          assert.ok(!run.stdout.includes(secret), 'a secret in stdout');
        }
      }
      assert.match(runs[0]?.stderr ?? '', /registering an OIDC client/, '--debug said what it did');
      assert.deepEqual(filesHolding(box, secrets), [], 'no secret in a plain file under HOME');
    });
  }
});
