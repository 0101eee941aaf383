/**
 * hook-env's decisions, with the session as a fake (it counts calls and can
 * fail): what the shell is told to do for each state of the file, the trust
 * store and the active profile. The code is checked by evaluating it in real
 * bash, the way the hook does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { CancelledError, CredentialError } from '../../src/base/errors.js';
import { bashShell } from '../../src/shell/bash-shell.js';
import { decideHook, nextRefresh, type HookDecisionOptions, type SessionResult } from '../../src/shell/hook-decision.js';
import { renderHook } from '../../src/shell/hook-render.js';
import type { Shell } from '../../src/shell/shell.js';
import { hookRetryDelay, shownDelay } from '../../src/shell/hook-retry.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import { requireCommands } from '../helpers/peers.js';

/** What `rolecall hook-env` prints: the decision, rendered for the shell. */
async function hookEnvOutput(shell: Shell, options: HookDecisionOptions): Promise<{ code: string; messages: readonly string[] }> {
  const decision = await decideHook(options);
  return { code: renderHook(shell, decision), messages: decision.messages };
}

let home: string;
let project: string;
let sessions: string[];
/** What the fake session throws, if anything. */
let fail: Error | undefined;
const NOW = 2_000_000_000;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rolecall-hook-env-'));
  project = join(home, 'project');
  mkdirSync(join(project, 'sub'), { recursive: true });
  writeFileSync(join(project, '.awsprofile'), '# team\ndev\n');
  sessions = [];
  fail = undefined;
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: home, XDG_DATA_HOME: join(home, 'data'), PWD: join(project, 'sub'), _ROLECALL_PWD: join(project, 'sub'), AWS_PROFILE: 'mine', ...extra };
}

async function session(profile: string): Promise<SessionResult> {
  sessions.push(profile);
  if (fail) throw fail;
  return {
    region: 'eu-west-1',
    credentials: { accessKeyId: 'ASIAFAKE', secretAccessKey: 'fake-secret-value', sessionToken: 'fake-token', expiration: new Date((NOW + 3600) * 1000) },
  };
}

function run(extra: Record<string, string> = {}, clock?: () => number) {
  return hookEnvOutput(bashShell, { env: env(extra), now: NOW, session, cwd: join(project, 'sub'), ...(clock ? { clock } : {}) });
}

/** Evaluates the code in bash, as the hook does, and returns the variables it leaves. */
function evaluate(code: string, start: Record<string, string>): Record<string, string> {
  const names = ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'ROLECALL_SHELL_HOOK_REGION', 'ROLECALL_PROFILE', '_rolecall_profile', '_rolecall_file', '_rolecall_refresh_at', '_rolecall_dir', '_rolecall_failed_in', '_rolecall_failures'];
  const script = `${code}\n${names.map((n) => `printf '%s=%s\\n' ${n} "\${${n}-<unset>}"`).join('\n')}`;
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: join(project, 'sub'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...start } });
  assert.equal(result.status, 0, result.stderr);
  return Object.fromEntries(result.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

test('an untrusted file: one notice, no session, the environment untouched', async () => {
  const first = await run();
  assert.deepEqual(first.messages, ["rolecall: ~/project/.awsprofile asks for profile dev; run 'rolecall allow' to trust it"]);
  assert.deepEqual(sessions, []);
  assert.doesNotMatch(first.code, /export /);
  const noticed = /_rolecall_noticed='([0-9a-f]+)'/.exec(first.code)?.[1] ?? '';
  assert.ok(noticed);
  const again = await run({ _ROLECALL_NOTICED: noticed });
  assert.deepEqual(again.messages, [], 'not twice for the same file and content');
});

test('an allowed file: the session exported, the user\'s AWS_PROFILE unset, the hook state set', async (t) => {
  if (!requireCommands(t, 'bash')) return;
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  const result = await run();
  assert.deepEqual(sessions, ['dev']);
  const after = evaluate(result.code, { AWS_PROFILE: 'mine' });
  assert.equal(after.ROLECALL_PROFILE, 'dev');
  assert.equal(after.AWS_PROFILE, '<unset>');
  assert.equal(after.AWS_ACCESS_KEY_ID, 'ASIAFAKE');
  assert.equal(after.AWS_REGION, 'eu-west-1');
  assert.equal(after.ROLECALL_SHELL_HOOK_REGION, 'eu-west-1', 'so exec can tell the hook region from the user\'s');
  assert.equal(after._rolecall_profile, 'dev');
  assert.equal(after._rolecall_file, join(project, '.awsprofile'));
  assert.equal(after._rolecall_refresh_at, String(NOW + 3600 - 300), 'refresh when the cache would stop handing it out');
  assert.equal(after._rolecall_dir, join(project, 'sub'), 'settled here: a prompt in this directory is steady');
  assert.equal(after._rolecall_failed_in, '');
  assert.equal(after._rolecall_failures, '');
});

test('the same profile still fresh: no session fetched; near expiry: fetched again', async () => {
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  await run({ _ROLECALL_ACTIVE: 'dev', _ROLECALL_REFRESH_AT: String(NOW + 100) });
  assert.deepEqual(sessions, []);
  await run({ _ROLECALL_ACTIVE: 'dev', _ROLECALL_REFRESH_AT: String(NOW - 1) });
  assert.deepEqual(sessions, ['dev']);
});

test("a region the user exported is not marked as the hook's, so exec keeps it for other profiles", async (t) => {
  if (!requireCommands(t, 'bash')) return;
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  const result = await run({ AWS_REGION: 'eu-west-1' });
  const after = evaluate(result.code, { AWS_REGION: 'eu-west-1' });
  assert.equal(after.AWS_REGION, 'eu-west-1');
  assert.equal(after.ROLECALL_SHELL_HOOK_REGION, '<unset>');
});

test('leaving puts back what the user had, the program computing it from the user\'s environment', async (t) => {
  if (!requireCommands(t, 'bash')) return;
  rmSync(join(project, '.awsprofile'));
  const result = await run({ _ROLECALL_ACTIVE: 'dev', AWS_REGION: 'sa-east-1' });
  const after = evaluate(result.code, { ROLECALL_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'ASIAFAKE', _rolecall_profile: 'dev' });
  assert.equal(after.ROLECALL_PROFILE, '<unset>');
  assert.equal(after.AWS_ACCESS_KEY_ID, '<unset>');
  assert.equal(after.AWS_PROFILE, 'mine');
  assert.equal(after.AWS_REGION, 'sa-east-1');
  assert.equal(after._rolecall_profile, '<unset>');
  assert.equal(after._rolecall_file, '');
});

test('a failed session: one line saying when, nothing exported, the failure state kept, a retry time 30s on', async (t) => {
  if (!requireCommands(t, 'bash')) return;
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  fail = new CredentialError('STS GetSessionToken failed: connect ECONNREFUSED 127.0.0.1:9');
  const result = await run({ _ROLECALL_OLDPWD: project });
  assert.deepEqual(result.messages, ["rolecall: no session for profile dev: STS GetSessionToken failed: connect ECONNREFUSED 127.0.0.1:9 (tried again at a prompt after 30s, or now with 'cd .')"]);
  assert.doesNotMatch(result.code, /export /);
  // The hook entered with "failed here"; the code leaves that as it is and adds the count and the time.
  const after = evaluate(result.code, { _rolecall_dir: '', _rolecall_failed_in: 'P|O' });
  assert.equal(after._rolecall_dir, '');
  assert.equal(after._rolecall_failed_in, 'P|O');
  assert.equal(after._rolecall_failures, '1');
  assert.equal(after._rolecall_refresh_at, String(NOW + 30));
  assert.equal(after._rolecall_file, join(project, '.awsprofile'), 'the file is still followed, so allow and deny act at the next prompt');
});

test("a failed refresh of the shell's own profile keeps its session, says so at the first failure only, and retries after the backoff", async () => {
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  fail = new CredentialError('profile "dev": GetSessionToken failed: connect ECONNREFUSED 127.0.0.1:9');
  const first = await decideHook({ env: env({ _ROLECALL_ACTIVE: 'dev', _ROLECALL_REFRESH_AT: String(NOW - 1), _ROLECALL_OLDPWD: project }), now: NOW, session, cwd: join(project, 'sub') });
  assert.deepEqual(first.change, { kind: 'keep' }, 'not left: that would hand the shell to the user\'s own credentials');
  assert.deepEqual(first.state.failure, { failures: 1, retryAt: String(NOW + 30) });
  assert.deepEqual(first.messages, [
    "rolecall: could not refresh the session of profile dev: profile \"dev\": GetSessionToken failed: connect ECONNREFUSED 127.0.0.1:9; the shell keeps the one it has (tried again at a prompt after 30s, or now with 'cd .')",
  ]);
  const again = await decideHook({ env: env({ _ROLECALL_ACTIVE: 'dev', _ROLECALL_REFRESH_AT: String(NOW + 30), _ROLECALL_FAILURES: '1', _ROLECALL_OLDPWD: project }), now: NOW + 30, session, cwd: join(project, 'sub') });
  assert.deepEqual(again.change, { kind: 'keep' });
  assert.equal(again.state.failure?.failures, 2);
  assert.deepEqual(again.messages, [], 'said once');
  fail = undefined;
  const refreshed = await decideHook({ env: env({ _ROLECALL_ACTIVE: 'dev', _ROLECALL_REFRESH_AT: String(NOW + 90), _ROLECALL_FAILURES: '2', _ROLECALL_OLDPWD: project }), now: NOW + 90, session, cwd: join(project, 'sub') });
  assert.equal(refreshed.change.kind, 'enter');
  assert.equal(refreshed.state.failure, undefined);
  assert.deepEqual(refreshed.messages, [], 'a refresh that works says nothing');
});

test('failures in a row wait twice as long each time, up to 10 minutes, counted from when the failure is known', async () => {
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  fail = new CredentialError('network down');
  const waits: number[] = [];
  for (const before of ['', '1', '2', '3', '4', '5', '9']) {
    const result = await run({ _ROLECALL_FAILURES: before }, () => NOW + 7);
    assert.match(result.code, new RegExp(`_rolecall_failures='${(Number(before) || 0) + 1}'`));
    waits.push(Number(/_rolecall_refresh_at='(\d+)'/.exec(result.code)?.[1]) - NOW - 7);
  }
  assert.deepEqual(waits, [30, 60, 120, 240, 480, 600, 600]);
  const longer = await run({ _ROLECALL_FAILURES: '2' }, () => NOW);
  assert.match(longer.messages[0] ?? '', /tried again at a prompt after 2m, or now/);
});

test('ROLECALL_HOOK_RETRY_SECONDS sets the first wait; 0 leaves retrying to a cd', async () => {
  assert.equal(hookRetryDelay({ ROLECALL_HOOK_RETRY_SECONDS: '2' }, 1), 2);
  assert.equal(hookRetryDelay({ ROLECALL_HOOK_RETRY_SECONDS: '2' }, 3), 8);
  assert.equal(hookRetryDelay({ ROLECALL_HOOK_RETRY_SECONDS: '900' }, 4), 900, 'a first wait above the cap is kept');
  assert.equal(hookRetryDelay({}, 100), 600);
  assert.throws(() => hookRetryDelay({ ROLECALL_HOOK_RETRY_SECONDS: 'soon' }, 1), /ROLECALL_HOOK_RETRY_SECONDS is "soon"; it must be a whole number of seconds/);
  assert.deepEqual([30, 90, 120, 600].map(shownDelay), ['30s', '90s', '2m', '10m']);

  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  fail = new CredentialError('network down');
  const off = await run({ ROLECALL_HOOK_RETRY_SECONDS: '0' });
  assert.match(off.code, /_rolecall_refresh_at=''/);
  assert.match(off.messages[0] ?? '', /network down \('cd \.' tries again\)$/);
});

test("Ctrl-C at the MFA prompt: no timed retry, a cd asks again; where `cd .` would change nothing, the line says what does", async () => {
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  fail = new CancelledError('cancelled');
  const result = await run();
  assert.deepEqual(result.messages, ["rolecall: no session for profile dev: cancelled ('cd .' asks again)"]);
  assert.match(result.code, /_rolecall_refresh_at=''/, 'no prompt asks again by itself');
  assert.match(result.code, /_rolecall_failures='1'/);
  // Right after a `cd .`, $OLDPWD is $PWD and another `cd .` would not change what the hook sees.
  const again = await run({ _ROLECALL_OLDPWD: join(project, 'sub') });
  assert.match(again.messages[0] ?? '', /cancelled \('cd \.\.; cd -' asks again\)$/);
});

test('after a failure, a file no longer trusted settles the hook and drops the retry time', async (t) => {
  if (!requireCommands(t, 'bash')) return;
  new TrustStore(env()).deny(join(project, '.awsprofile'));
  const result = await run({ _ROLECALL_FAILURES: '3' });
  assert.deepEqual(sessions, []);
  const after = evaluate(result.code, { _rolecall_dir: '', _rolecall_failed_in: 'P|O', _rolecall_failures: '3', _rolecall_refresh_at: String(NOW + 5) });
  assert.equal(after._rolecall_refresh_at, '<unset>', 'else every prompt after that time would run hook-env');
  assert.equal(after._rolecall_failures, '');
  assert.equal(after._rolecall_failed_in, '');
  assert.equal(after._rolecall_dir, join(project, 'sub'));
});

test('a denied file says nothing and activates nothing', async () => {
  new TrustStore(env()).deny(join(project, '.awsprofile'));
  const result = await run();
  assert.deepEqual(result.messages, []);
  assert.deepEqual(sessions, []);
});

test('refresh times: the min TTL before expiry, never in the past, none for long-term keys', () => {
  assert.equal(nextRefresh(undefined, NOW, 300), '');
  assert.equal(nextRefresh(new Date((NOW + 3600) * 1000), NOW, 300), String(NOW + 3300));
  assert.equal(nextRefresh(new Date((NOW + 100) * 1000), NOW, 300), String(NOW + 60));
});

test('an oversized .awsprofile is invalid, said once, and not followed at steady prompts', async () => {
  writeFileSync(join(project, '.awsprofile'), `dev\n${'#'.repeat(100_000)}\n`);
  const first = await run();
  assert.equal(first.messages.length, 1);
  assert.match(first.messages[0] ?? '', /~\/project\/\.awsprofile: is larger than 4096 bytes, so it is not a profile name; ignored/);
  assert.deepEqual(sessions, []);
  assert.match(first.code, /_rolecall_file=''/, 'the hook keeps no file to re-read at each prompt');
  assert.ok(first.code.length < 2_000, 'the file is not carried into the shell');
});

test('the decision is data, the same for every shell: entering, keeping, leaving', async () => {
  new TrustStore(env()).allow(join(project, '.awsprofile'), Buffer.from('# team\ndev\n'));
  const enter = await decideHook({ env: env(), now: NOW, session, cwd: join(project, 'sub') });
  assert.equal(enter.change.kind, 'enter');
  assert.equal(enter.change.kind === 'enter' && enter.change.variables.AWS_ACCESS_KEY_ID, 'ASIAFAKE');
  assert.equal(enter.change.kind === 'enter' && enter.change.refreshAt, String(NOW + 3600 - 300), 'refreshed when the cache would hand out a new session');
  assert.equal(enter.userEnv.AWS_PROFILE, 'mine', "what the way back restores: the user's own");
  assert.equal(enter.state.file, join(project, '.awsprofile'));
  const keep = await decideHook({ env: env({ _ROLECALL_ACTIVE: 'dev', _ROLECALL_REFRESH_AT: String(NOW + 60) }), now: NOW, session, cwd: join(project, 'sub') });
  assert.deepEqual([keep.change, keep.messages], [{ kind: 'keep' }, []]);
  const away = join(home, 'elsewhere');
  mkdirSync(away);
  const leave = await decideHook({ env: env({ _ROLECALL_ACTIVE: 'dev', PWD: away, _ROLECALL_PWD: away }), now: NOW, session, cwd: away });
  assert.deepEqual([leave.change, leave.state.file], [{ kind: 'leave' }, '']);
  assert.deepEqual(sessions, ['dev'], 'one session asked for, by the enter alone');
});
