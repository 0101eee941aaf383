/**
 * What a new user meets first: `rolecall help CMD`, a mistyped command or
 * profile, a missing argument, `rolecall status`. Each is one line that says
 * what to type instead, run through the built bin in a throw-away HOME.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSandbox, rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';

function withSandbox(body: (sandbox: Sandbox) => Promise<void>): () => Promise<void> {
  return async () => {
    const sandbox = makeSandbox();
    try {
      await body(sandbox);
    } finally {
      sandbox.cleanup();
    }
  };
}

test('`rolecall help exec` prints the help of exec, `rolecall help` the overview', withSandbox(async (sandbox) => {
  const exec = await runRolecall(sandbox, ['help', 'exec']);
  assert.equal(exec.stderr, '');
  assert.equal(exec.status, 0);
  assert.match(exec.stdout, /^Run a command with temporary AWS credentials/);
  assert.match(exec.stdout, /\$ rolecall exec /);

  const list = await runRolecall(sandbox, ['help', 'list']);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^List the profiles/);

  const overview = await runRolecall(sandbox, ['help']);
  assert.equal(overview.status, 0);
  assert.match(overview.stdout, /\$ rolecall <command>/);
  assert.match(overview.stdout, /rolecall clear /);
}));

test('a mistyped command gets a "did you mean"', withSandbox(async (sandbox) => {
  const run = await runRolecall(sandbox, ['lst']);
  assert.equal(run.stderr, 'rolecall: unknown command "lst" (did you mean "list"?); see rolecall --help\n');
  assert.equal(run.status, 2);

  const far = await runRolecall(sandbox, ['frobnicate']);
  assert.equal(far.stderr, 'rolecall: unknown command "frobnicate"; see rolecall --help\n');
}));

test('`rolecall clear` of a mistyped profile suggests the config\'s closest names', withSandbox(async (sandbox) => {
  sandbox.write('.aws/config', '[profile cross-account-role]\nregion = us-east-1\n\n[profile billing]\nregion = us-east-1\n');
  const run = await runRolecall(sandbox, ['clear', 'cross-acount-role']);
  assert.equal(run.stderr, 'rolecall: profile "cross-acount-role" is not in the config and has no cached sessions; did you mean "cross-account-role"?\n');
  assert.equal(run.status, 1);
}));

test('a missing PROFILE says how the command is typed, in one line', withSandbox(async (sandbox) => {
  const add = await runRolecall(sandbox, ['add']);
  assert.equal(add.stderr, 'rolecall: missing PROFILE (usage: rolecall add PROFILE); see rolecall add --help\n');
  assert.equal(add.stdout, '');
  assert.equal(add.status, 2);

  const hook = await runRolecall(sandbox, ['hook']);
  assert.equal(hook.stderr, 'rolecall: missing SHELL (usage: rolecall hook SHELL); see rolecall hook --help\n');
}));

test('`rolecall hook fish` names rolecall once', withSandbox(async (sandbox) => {
  const run = await runRolecall(sandbox, ['hook', 'fish']);
  assert.equal(run.stderr, 'rolecall: no hook for shell "fish"; rolecall supports bash and zsh\n');
  assert.equal(run.status, 1);
}));

test('`rolecall status` says how long the session has left as `list` does', withSandbox(async (sandbox) => {
  const expiration = new Date(Date.now() + (119 * 60 + 30) * 1000).toISOString();
  const run = await runRolecall(sandbox, ['status'], { env: { ROLECALL_PROFILE: 'dev', AWS_CREDENTIAL_EXPIRATION: expiration } });
  assert.equal(run.status, 0);
  assert.match(run.stdout, new RegExp(`^active: +dev \\(session expires ${expiration.replace(/\./g, '\\.')}, 1h 59m left\\)$`, 'm'));

  const past = new Date(Date.now() - 60_000).toISOString();
  const expired = await runRolecall(sandbox, ['status'], { env: { ROLECALL_PROFILE: 'dev', AWS_CREDENTIAL_EXPIRATION: past } });
  assert.match(expired.stdout, /^active: +dev \(session expires .*, expired\)$/m);
}));

test('a reader that goes away (`rolecall help exec | head -1`) ends the command as SIGPIPE would (141), without a stack trace', withSandbox(async (sandbox) => {
  // The reader closes its end at once, before rolecall writes.
  const run = await runProcess('bash', ['-c', `"${process.execPath}" "${rolecallBin}" help exec | (exec <&-; sleep 1); echo "\${PIPESTATUS[0]}" >&2`], { env: sandbox.env, cwd: sandbox.home });
  assert.equal(run.stderr, '141\n');
}));
