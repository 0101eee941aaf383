/**
 * `rolecall credential-process` as the AWS CLI runs it, from a profile's
 * credential_process, against moto (the recording proxy counts the STS
 * calls): the CLI gets the role, a warm run calls STS for nothing but the
 * CLI's own request, a code is asked on the terminal (a pseudo-terminal)
 * and, with none, refused at once in one line; a loop back into a profile
 * being resolved is one line, quickly; twenty at once make one call and ask
 * one code; no secret in argv or --debug.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, stsWorldForSuite } from '../helpers/sts-world.js';
import { openTerminal } from '../helpers/terminal-session.js';
import { watchArgv } from '../helpers/secret-scan.js';

const MFA = 'arn:aws:iam::123456789012:mfa/alice';
/** How a profile's credential_process names the rolecall under test. */
const ROLECALL = `${process.execPath} ${rolecallBin}`;

const CONFIG = `
[profile base]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = base
region = eu-west-1

[profile mfa-admin]
role_arn = arn:aws:iam::123456789012:role/MfaAdmin
source_profile = base
mfa_serial = ${MFA}
region = eu-west-1

[profile mfa-process]
role_arn = arn:aws:iam::123456789012:role/MfaProcess
source_profile = base
mfa_serial = ${MFA}
mfa_process = sh "$HOME/mfa.sh"
region = eu-west-1

[profile tool]
credential_process = ${ROLECALL} credential-process admin
region = eu-west-1

[profile tool-mfa]
credential_process = ${ROLECALL} credential-process mfa-admin
region = eu-west-1

[profile loop]
credential_process = ${ROLECALL} credential-process loop

[profile self-sourced]
credential_process = ${ROLECALL} credential-process self-sourced

[profile role-over-loop]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = self-sourced

[profile exits-86]
credential_process = sh -c 'exit 86'

[profile ping]
credential_process = ${ROLECALL} credential-process pong

[profile pong]
credential_process = ${ROLECALL} credential-process ping
`;

const ARN = ['sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text'];

describe('rolecall credential-process', { concurrency: false }, () => {
  const suite = stsWorldForSuite();
  const base = randomKeys();
  beforeEach(() => suite.world.proxy.reset());

  function box(): Sandbox {
    const sandbox = suite.world.sandbox();
    sandbox.write('.aws/config', CONFIG);
    sandbox.write('.aws/credentials', credentialsFile({ base }));
    return sandbox;
  }

  const aws = (sandbox: Sandbox, args: string[]) => runProcess('aws', args, { env: sandbox.env, cwd: sandbox.home });
  /** setsid: no controlling terminal, as under cron, CI or an IDE. */
  const detached = (sandbox: Sandbox, argv: string[]) => runProcess('setsid', ['-w', ...argv], { env: sandbox.env, cwd: sandbox.home });

  test('the AWS CLI with credential_process = rolecall credential-process gets the role; warm, no STS call of ours', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const cold = await aws(sandbox, ['--profile', 'tool', ...ARN]);
    assert.equal(cold.status, 0, cold.stderr);
    assert.match(cold.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Admin\/.+/);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1);
    const [call] = suite.world.proxy.calls.filter((c) => c.action === 'GetCallerIdentity');
    assert.notEqual(call?.signedWith, base.accessKeyId, 'the CLI signs with the role session, not the base keys');

    suite.world.proxy.reset();
    const warm = await aws(sandbox, ['--profile', 'tool', ...ARN]);
    assert.equal(warm.status, 0, warm.stderr);
    assert.equal(warm.stdout, cold.stdout);
    assert.deepEqual(suite.world.proxy.counts(), { GetCallerIdentity: 1 }, 'only the CLI itself called STS');
  });

  test('stdout is the Version 1 JSON and nothing else', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const result = await runRolecall(box(), ['credential-process', 'admin']);
    assert.equal(result.status, 0, result.stderr);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(document), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(document.Version, 1);
    assert.match(String(document.Expiration), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(String(document.Expiration)) > Date.now());
    assert.equal(result.stdout.split('\n').length, 2, 'one line of JSON');
  });

  test('no terminal and no mfa_process: one line that says how, at once, under the AWS CLI too', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'setsid')) return;
    const sandbox = box();
    // Keys in the vault, as they would be: no notice about plain-text keys beside the one line.
    const added = await runRolecall(sandbox, ['add', 'base', '--env'], { env: { AWS_ACCESS_KEY_ID: base.accessKeyId, AWS_SECRET_ACCESS_KEY: base.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    sandbox.write('.aws/credentials', '');
    const started = Date.now();
    const alone = await detached(sandbox, [process.execPath, rolecallBin, 'credential-process', 'mfa-admin']);
    assert.equal(alone.status, 1);
    assert.equal(alone.stdout, '');
    const lines = alone.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, alone.stderr);
    assert.match(lines[0] as string, /^rolecall: profile "mfa-admin" needs an MFA code for .*no terminal to ask on; set mfa_process .*`rolecall exec mfa-admin -- true`.*shell hook/);

    const viaCli = await detached(sandbox, ['aws', '--profile', 'tool-mfa', ...ARN]);
    assert.notEqual(viaCli.status, 0);
    assert.equal(viaCli.stderr.match(/rolecall: /g)?.length, 1, viaCli.stderr);
    assert.match(viaCli.stderr, /no terminal to ask on; set mfa_process/);
    assert.ok(Date.now() - started < 20_000, 'failed at once, without waiting for a code');
    assert.equal(suite.world.proxy.count('GetSessionToken') + suite.world.proxy.count('AssumeRole'), 0);
  });

  test('on a terminal the code is asked there, and the AWS CLI gets the role', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'script')) return;
    const sandbox = box();
    const terminal = openTerminal(['aws', '--profile', 'tool-mfa', ...ARN], sandbox.env, sandbox.home);
    t.after(() => terminal.close());
    await terminal.waitFor(/MFA code for arn:aws:iam::123456789012:mfa\/alice: /, 1);
    terminal.type('314159\r');
    await terminal.waitFor(/arn:aws:sts::123456789012:assumed-role\/MfaAdmin\//, 1);
    assert.equal(suite.world.proxy.calls.find((c) => c.action === 'GetSessionToken')?.params.TokenCode, '314159');
  });

  test('a credential_process loop is refused with one line, quickly', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    for (const [profile, loop] of [
      ['loop', '"loop" -> "loop"'],
      ['ping', '"ping" -> "pong" -> "ping"'],
    ] as const) {
      const started = Date.now();
      const result = await runRolecall(sandbox, ['credential-process', profile], { timeoutMs: 20_000 });
      assert.ok(Date.now() - started < 10_000, `refused quickly (${Date.now() - started} ms)`);
      assert.equal(result.status, 86, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, `rolecall: credential_process loop: ${loop}; each credential_process there runs \`rolecall credential-process\` back into a profile being resolved; point one at another profile\n`);
    }
    // exec of such a profile holds its lock while the loop turns: refused, not waited on;
    // so does a role whose source's credential_process loops (the role's command holds that link's lock).
    for (const [profile, loop] of [
      ['loop', '"loop" -> "loop"'],
      ['role-over-loop', '"self-sourced" -> "self-sourced"'],
    ] as const) {
      const started = Date.now();
      const exec = await runRolecall(sandbox, ['exec', profile, '--', 'true'], { timeoutMs: 20_000, env: { ROLECALL_LOCK_TIMEOUT: '30' } });
      assert.ok(Date.now() - started < 10_000, `exec ${profile} refused quickly (${Date.now() - started} ms)`);
      assert.equal(exec.status, 125, exec.stderr);
      assert.equal(exec.stderr.trimEnd().split('\n').length, 1, exec.stderr);
      assert.match(exec.stderr, new RegExp(`credential_process loop: ${loop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};`));
    }
    const viaCli = await aws(sandbox, ['--profile', 'loop', '--region', 'eu-west-1', ...ARN]);
    assert.notEqual(viaCli.status, 0);
    assert.equal(viaCli.stderr.match(/rolecall: /g)?.length, 1, viaCli.stderr);
    assert.equal(suite.world.proxy.calls.length, 0);
  });

  test('a foreign credential_process that exits 86 is its own failure, not a loop said below', async (t) => {
    if (!requireCommands(t, 'sh')) return;
    const sandbox = box();
    const direct = await runRolecall(sandbox, ['credential-process', 'exits-86']);
    assert.equal(direct.status, 1, direct.stderr);
    assert.equal(direct.stderr, 'rolecall: credential_process of profile "exits-86" exited with status 86\n');
    const exec = await runRolecall(sandbox, ['exec', 'exits-86', '--', 'true']);
    assert.equal(exec.status, 125, exec.stderr);
    assert.match(exec.stderr, /^rolecall: credential_process of profile "exits-86" exited with status 86\n$/);
  });

  test('twenty at once: one GetSessionToken, one AssumeRole, one code', async (t) => {
    if (!requireCommands(t, 'moto_server', 'sh')) return;
    const sandbox = box();
    sandbox.write('mfa.sh', `echo run >> "$HOME/mfa-runs"\necho 123456\n`);
    suite.world.proxy.delay('GetSessionToken', 500);
    const runs = await Promise.all(Array.from({ length: 20 }, () => runRolecall(sandbox, ['credential-process', 'mfa-process'])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.equal(new Set(runs.map((run) => run.stdout)).size, 1, 'all twenty got the one session');
    assert.equal(readFileSync(join(sandbox.home, 'mfa-runs'), 'utf8'), 'run\n');
    assert.deepEqual(suite.world.proxy.counts(), { GetSessionToken: 1, AssumeRole: 1 });
  });

  test('no secret in argv or in --debug', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const argvCold = watchArgv([base.secretAccessKey]);
    const cold = await runRolecall(sandbox, ['credential-process', '--debug', 'admin']);
    assert.deepEqual(argvCold.stop(), []);
    assert.equal(cold.status, 0, cold.stderr);
    const { SecretAccessKey, SessionToken } = JSON.parse(cold.stdout) as Record<string, string>;
    const secrets = [base.secretAccessKey, SecretAccessKey as string, SessionToken as string];
    const argvWarm = watchArgv(secrets);
    const warm = await runRolecall(sandbox, ['credential-process', '--debug', 'admin']);
    const viaCli = await aws(sandbox, ['--profile', 'tool', '--debug', ...ARN]);
    assert.deepEqual(argvWarm.stop(), []);
    assert.equal(warm.stdout, cold.stdout);
    assert.match(cold.stderr, /AssumeRole/, '--debug told the steps');
    for (const run of [cold, warm]) for (const secret of secrets) assert.ok(!run.stderr.includes(secret), 'no secret in --debug');
    assert.equal(viaCli.status, 0, viaCli.stderr);
  });
});
