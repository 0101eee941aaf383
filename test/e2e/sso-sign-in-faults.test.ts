/**
 * A sign-in when things go wrong on the way: a browser command that fails
 * (BROWSER=/bin/false) says how to go on by hand, in the words of the
 * command that signs in, and the sign-in goes on; a CreateToken that never
 * answers still gives way to Ctrl-C. The stalling OIDC endpoint is the fault
 * proxy of ours on loopback (test/helpers/fault-proxy.ts, in front of the
 * fake Identity Center, holding the code's exchange): no real peer stalls on
 * demand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { oidcControls } from '../helpers/fake-sso-oidc.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { ssoWorldForSuite } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { runWithoutTerminal, withBrowser } from './sso-login-harness.js';

async function waitFor<T>(probe: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sso sign-in faults', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  function prepared(): Sandbox {
    const box = suite.world.sandbox();
    withBrowser(box);
    const state = suite.world.identityCenter.state;
    state.calls.length = 0;
    state.tokenSeconds = 3600;
    oidcControls(state).authorizeState = (given) => given;
    oidcControls(state).denyDevice = false;
    return box;
  }

  test('exec with a browser that fails: the line says the URL and the ways exec has (ROLECALL_NO_BROWSER=1, sso login --use-device-code); opening the URL by hand signs in', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = prepared();
    let visited: Promise<number> | undefined;
    let seen = '';
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], {
      env: { BROWSER: '/bin/false' },
      onStderr: (chunk) => {
        seen += chunk;
        const url = /still waiting:\n(http\S+)/.exec(seen)?.[1];
        if (url && !visited) visited = fetch(url).then((r) => r.status);
      },
    });
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.equal(await visited, 200);
    assert.match(exec.stderr, /Ctrl-C to stop; ROLECALL_NO_BROWSER=1 \(or `rolecall sso login dev --use-device-code`\) signs in from another device/);
    assert.match(exec.stderr, /^rolecall: \$BROWSER \(\/bin\/false\) could not open the IAM Identity Center sign-in page \(status 1\); open it by hand, rolecall is still waiting:$/m);
    assert.doesNotMatch(exec.stderr, /--no-browser|; --use-device-code/, 'no flag exec does not have');
  });

  test('credential-process with a browser that fails names the same ways, not flags of sso login', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = prepared();
    let visited = false;
    const run = await runWithoutTerminal(box, ['credential-process', 'dev'], {
      env: { BROWSER: '/bin/false' },
      onStderr: (chunk) => {
        const url = /still waiting:\n(http\S+)/.exec(chunk)?.[1];
        if (url && !visited) void fetch(url).then(() => (visited = true));
      },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).Version, 1);
    assert.match(run.stderr, /ROLECALL_NO_BROWSER=1 \(or `rolecall sso login dev --use-device-code`\)/);
    assert.doesNotMatch(run.stderr, /--no-browser/);
  });

  test('sso login --use-device-code with a browser that fails: the URL and the code are said and the sign-in goes on', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = prepared();
    let approved: Promise<number> | undefined;
    let seen = '';
    const login = await runRolecall(box, ['sso', 'login', 'dev', '--use-device-code'], {
      env: { BROWSER: '/bin/false' },
      onStderr: (chunk) => {
        seen += chunk;
        const found = /open (http\S+) in a browser on any device and enter the code ([0-9A-F]{4}-[0-9A-F]{4})/.exec(seen);
        if (found && !approved) approved = fetch(`${found[1]}?user_code=${found[2]}`).then((r) => r.status);
      },
    });
    assert.equal(login.status, 0, login.stderr);
    assert.equal(await approved, 200);
    assert.match(login.stderr, /could not open the IAM Identity Center sign-in page \(status 1\); open it by hand, rolecall is still waiting: open http/);
  });

  test('Ctrl-C while CreateToken (the code\'s exchange) stalls ends the sign-in at once: status 130, one line', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = prepared();
    // The code's exchange is the sign-in's one CreateToken: it is held, never answered.
    const stalling = await startFaultProxy(suite.world.identityCenter.url);
    stalling.fault('/token', { kind: 'hang' });
    t.after(() => stalling.stop());
    let pid = 0;
    const login = runRolecall(box, ['sso', 'login', 'dev'], { env: { AWS_ENDPOINT_URL_SSO_OIDC: stalling.url, BROWSER: `${box.home}/browser.sh` }, onSpawn: (p) => (pid = p), timeoutMs: 30_000 });
    await waitFor(() => stalling.count('/token') > 0 || undefined);
    const interruptedAt = Date.now();
    process.kill(pid, 'SIGINT');
    const result = await login;
    assert.equal(result.status, 130, result.stderr);
    assert.ok(Date.now() - interruptedAt < 5_000, 'it stopped at the Ctrl-C, not at a timeout');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack');
  });
});
