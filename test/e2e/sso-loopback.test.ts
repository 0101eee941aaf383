/**
 * The PKCE sign-in's loopback redirect against what else on the machine can
 * reach its port: a $BROWSER of the test's that, before visiting the
 * authorize page as a browser would, sends the port a request line
 * new URL() cannot read (`GET //[`, raw, over node:net) and a redirect with a
 * forged code and a state of its own. The sign-in must go on, refuse both,
 * and succeed with the real redirect; the forged code is never exchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { oidcControls } from '../helpers/fake-sso-oidc.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { ssoWorldForSuite } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { NO_BROWSER, runWithoutTerminal, withBrowser } from './sso-login-harness.js';

/** The hostile local process, then the browser: each answer's first line goes to intruder.log. */
const INTRUDER_SCRIPT = `
import { connect } from 'node:net';
import { appendFileSync } from 'node:fs';
const log = (line) => appendFileSync(process.env.HOME + '/intruder.log', line + '\\n');
const url = new URL(process.argv[2]);
const callback = new URL(url.searchParams.get('redirect_uri'));
const raw = (bytes) => new Promise((resolve) => {
  const socket = connect(Number(callback.port), '127.0.0.1', () => socket.write(bytes));
  let reply = '';
  socket.on('data', (chunk) => (reply += chunk));
  socket.on('close', () => resolve(reply.split('\\r\\n')[0] || '(closed)'));
  socket.on('error', () => resolve('(error)'));
});
log('malformed ' + (await raw('GET //[ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')));
log('garbage ' + (await raw('\\x00\\x01 not http\\r\\n\\r\\n')));
const forged = new URL(callback);
forged.searchParams.set('code', 'forged-code');
forged.searchParams.set('state', 'a-state-of-my-own');
log('wrong-state ' + (await fetch(forged)).status);
const stateless = new URL(callback);
stateless.searchParams.set('error', 'access_denied');
log('stateless-error ' + (await fetch(stateless)).status);
log('browser ' + (await fetch(url)).status);
log('late ' + (await fetch(forged).then((r) => r.status, () => 'refused')));
`;

describe('sso loopback redirect', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  function prepared(): { box: Sandbox; browser: Record<string, string> } {
    const box = suite.world.sandbox();
    withBrowser(box);
    box.write('intruder.mjs', INTRUDER_SCRIPT);
    box.write('intruder.sh', `#!/bin/sh\nnode "$HOME/intruder.mjs" "$1" </dev/null >>"$HOME/intruder.out" 2>&1 &\nexit 0\n`, 0o755);
    const state = suite.world.identityCenter.state;
    state.calls.length = 0;
    state.tokenSeconds = 3600;
    oidcControls(state).authorizeState = (given) => given;
    return { box, browser: { BROWSER: join(box.home, 'intruder.sh') } };
  }

  const count = (operation: string) => suite.world.identityCenter.state.count(operation);
  const intruderLog = (box: Sandbox) => readFileSync(join(box.home, 'intruder.log'), 'utf8');

  test('a malformed request, garbage and a wrong-state redirect are answered 400; the sign-in goes on and succeeds; the forged code is never exchanged', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    const login = await runRolecall(box, ['sso', 'login', 'dev'], { env: browser });
    assert.equal(login.status, 0, login.stderr);
    assert.doesNotMatch(login.stderr, /TypeError|at /);
    assert.match(login.stdout, /^signed in to IAM Identity Center \(sso-session "corp"\) until /);
    const log = intruderLog(box);
    assert.match(log, /^malformed HTTP\/1\.1 400 /m);
    assert.match(log, /^garbage HTTP\/1\.1 400 /m);
    assert.match(log, /^wrong-state 400$/m);
    assert.match(log, /^stateless-error 400$/m);
    assert.match(log, /^browser 200$/m);
    assert.doesNotMatch(log, /^late 200$/m, 'after the sign-in settled, no request is told "Signed in"');
    assert.equal(count('CreateToken:authorization_code'), 1, 'only the real code was exchanged');

    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], { env: NO_BROWSER });
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
  });

  test('a sign-in a command starts (exec) survives the same requests', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], { env: browser });
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.match(intruderLog(box), /^malformed HTTP\/1\.1 400 /m);
  });
});
