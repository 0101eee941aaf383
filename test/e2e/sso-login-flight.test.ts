/**
 * The sign-in a command starts when it needs a token and finds none: any
 * number of commands at once start one (one browser tab, counted at the
 * fake and by the $BROWSER script) and all carry on; Ctrl-C of that sign-in
 * fails the waiting commands once, each with one clear line (the sign-in
 * was cancelled), and opens no other tab; a waiter whose ROLECALL_LOCK_TIMEOUT
 * ends first says the sign-in is still waiting for the browser (that a waiter
 * outwaits the default timeout is cache-single-flight's unit test); with neither a terminal nor a browser, the one line and 125.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { shellQuote } from '../helpers/pseudo-terminal.js';
import { rolecallBin, runProcess, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { openTerminal } from '../helpers/terminal-session.js';
import { ssoWorldForSuite } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { browserRuns, CONFIG, NO_BROWSER, runWithoutTerminal, withBrowser } from './sso-login-harness.js';
import { eventually } from '../helpers/eventually.js';

describe('a sign-in started by the commands that need it', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  function prepared(): { box: Sandbox; browser: Record<string, string> } {
    const box = suite.world.sandbox();
    const browser = withBrowser(box);
    suite.world.identityCenter.state.calls.length = 0;
    return { box, browser };
  }

  const count = (operation: string) => suite.world.identityCenter.state.count(operation);

  test('20 concurrent execs of an SSO profile with no token: one sign-in, one browser visit, all succeed', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    // Twenty at once, as the issue asks, half of them a chain over the SSO profile.
    const profiles = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'dev' : 'audit'));
    const runs = await Promise.all(profiles.map((profile) => runWithoutTerminal(box, ['exec', profile, '--', ...CALLER_ARN], { env: browser, timeoutMs: 180_000 })));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.match(runs[0]?.stdout ?? '', /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.match(runs[1]?.stdout ?? '', /^arn:aws:sts::444455556666:assumed-role\/Auditor\//);
    assert.equal(browserRuns(box).length, 1, 'one browser tab');
    assert.equal(count('authorize'), 1);
    assert.equal(count('CreateToken:authorization_code'), 1);
    assert.equal(count('GetRoleCredentials'), 1, 'one role session for all twenty');
  });

  test('the AWS CLI under xargs -P 20, rolecall its credential_process, with no token: one sign-in, one browser visit, all twenty get the role', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'xargs')) return;
    const { box, browser } = prepared();
    box.write('.aws/config', `${CONFIG}\n[profile via-process]\ncredential_process = ${process.execPath} ${rolecallBin} credential-process dev\nregion = eu-west-1\n`);
    // The AWS CLI's own STS is moto itself, as in sso-share.test.ts: the proxy counts rolecall's calls only.
    const aws = `aws --profile via-process sts get-caller-identity --query Arn --output text`;
    // Each to a file of its own: the AWS CLI writes the ARN and its newline apart, so twenty on one pipe interleave.
    const run = await runProcess('sh', ['-c', `seq 20 | xargs -P 20 -I{} sh -c '${aws} >"$HOME/arn.{}"'`], {
      env: { ...box.env, ...browser, AWS_ENDPOINT_URL_STS: suite.world.sts.moto.url },
      cwd: box.home,
      detached: true,
    }, { timeoutMs: 180_000 });
    assert.equal(run.status, 0, run.stderr);
    for (let i = 1; i <= 20; i++) assert.match(readFileSync(join(box.home, `arn.${i}`), 'utf8'), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.equal(browserRuns(box).length, 1, 'one browser tab');
    assert.equal(count('authorize'), 1);
    assert.equal(count('CreateToken:authorization_code'), 1);
    assert.equal(count('GetRoleCredentials'), 1, 'one role session for all twenty');
  });

  test('Ctrl-C of the sign-in fails the waiting commands once, with a clear line, and opens no other tab', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    // The person never signs in: the browser is opened, nothing visits the page.
    box.write('browser-hold', '');
    const runs: Promise<RunResult>[] = [];
    for (let i = 0; i < 4; i++) runs.push(runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: browser, timeoutMs: 30_000 }));
    const holder = await eventually(() => browserRuns(box)[0], 'the browser to be started');
    // Give the others time to find the lock held and wait.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    process.kill(Number(holder), 'SIGINT');
    const results = await Promise.all(runs);
    const byHolder = results.find((run) => run.pid === Number(holder));
    assert.ok(byHolder, `the browser's parent ${holder} is one of the execs`);
    assert.equal(byHolder.status, 130, byHolder.stderr);
    for (const run of results.filter((r) => r !== byHolder)) {
      assert.equal(run.status, 125, run.stderr);
      assert.equal(
        run.stderr,
        `rolecall: another rolecall (pid ${holder}) was getting the same session and failed: its sign-in to IAM Identity Center (sso-session "corp") was cancelled (Ctrl-C); run the command again to sign in\n`,
      );
    }
    assert.equal(browserRuns(box).length, 1, 'no other sign-in was started');
    assert.ok(!existsSync(join(box.home, 'visits.log')) || readFileSync(join(box.home, 'visits.log'), 'utf8') === '');
    // Nothing of the cancelled sign-in is left: no lock, no token or session, whole or partial; the next command signs in.
    const locks = join(box.env.XDG_CACHE_HOME as string, 'rolecall', 'locks');
    assert.deepEqual(existsSync(locks) ? readdirSync(locks).filter((name) => !name.endsWith('.failed')) : [], [], 'no lock and no temp file');
    const vault = join(box.env.XDG_DATA_HOME as string, 'rolecall', 'vault');
    // The OIDC client registered before the sign-in is kept, whole, for the next one; no token, no session.
    const stored = (service: string) => (existsSync(join(vault, service)) ? readdirSync(join(vault, service)) : []);
    assert.deepEqual([...stored('rolecall-sso-tokens'), ...stored('rolecall-sessions')], [], 'no token, no session, whole or partial');
    rmSync(join(box.home, 'browser-hold'));
    const next = await runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: browser, timeoutMs: 30_000 });
    assert.equal(next.status, 0, next.stderr);
  });

  test('a waiter whose ROLECALL_LOCK_TIMEOUT ends first says the sign-in is still waiting for the browser, and what to do', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    box.write('browser-hold', '');
    const signingIn = runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: browser, timeoutMs: 30_000 });
    const holder = await eventually(() => browserRuns(box)[0], 'the browser to be started');
    const waiter = await runWithoutTerminal(box, ['exec', 'audit', '--', 'true'], { env: { ...browser, ROLECALL_LOCK_TIMEOUT: '2' }, timeoutMs: 30_000 });
    assert.equal(waiter.status, 125, waiter.stderr);
    assert.equal(
      waiter.stderr,
      `rolecall: gave up after waiting 2s for rolecall pid ${holder} to get the session of profile "dev": it is still waiting for the IAM Identity Center sign-in of sso-session "corp" in the browser (which waits up to 10 minutes); ` +
        'finish signing in there (or stop it with Ctrl-C in its terminal), then run this command again (or unset ROLECALL_LOCK_TIMEOUT, so a command waits as long as the sign-in may take)\n',
    );
    process.kill(Number(holder), 'SIGINT');
    assert.equal((await signingIn).status, 130);
    assert.equal(browserRuns(box).length, 1, 'the waiter started no sign-in');
  });

  test('credential-process with no browser signs in on /dev/tty with a device code, while its stdout goes to the SDK', async (t) => {
    if (!requireCommands(t, 'moto_server', 'script')) return;
    const { box } = prepared();
    // stdout and stderr are files, as under an SDK: only the terminal shows the code.
    const terminal = openTerminal(['sh', '-c', `${shellQuote(process.execPath)} ${shellQuote(rolecallBin)} credential-process dev >"$HOME/out.json" 2>"$HOME/err.txt"; echo "done $?"`], { ...box.env, ...NO_BROWSER }, box.home);
    try {
      await terminal.waitFor(/\nor open (\S+)\r?\n/, 1);
      const page = terminal.shown().match(/\nor open (\S+)\r?\n/)?.[1] as string;
      assert.match(terminal.shown(), /enter the code [0-9A-F]{4}-[0-9A-F]{4}/);
      await fetch(page);
      await terminal.waitFor(/done \d+/, 1);
      assert.match(terminal.shown(), /done 0/, readFileSync(join(box.home, 'err.txt'), 'utf8'));
    } finally {
      terminal.close();
    }
    const printed = JSON.parse(readFileSync(join(box.home, 'out.json'), 'utf8')) as { Version: number; AccessKeyId: string };
    assert.equal(printed.Version, 1);
    assert.equal(readFileSync(join(box.home, 'err.txt'), 'utf8'), '', 'nothing on stderr');
    assert.equal(count('CreateToken:device_code') >= 1, true);
  });

  test('neither a terminal nor a browser: the one line, status 125, no sign-in started', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box } = prepared();
    const exec = await runWithoutTerminal(box, ['exec', 'audit', '--', 'true'], { env: NO_BROWSER });
    assert.equal(exec.status, 125);
    assert.equal(exec.stderr, 'rolecall: no valid IAM Identity Center token for sso-session "corp"; run `rolecall sso login dev`\n');
    const processRun = await runWithoutTerminal(box, ['credential-process', 'dev'], { env: NO_BROWSER });
    assert.notEqual(processRun.status, 0);
    assert.match(processRun.stderr, /run `rolecall sso login dev`/);
    assert.equal(count('RegisterClient'), 0);
    assert.equal(count('StartDeviceAuthorization'), 0);
  });
});
