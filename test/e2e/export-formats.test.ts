/**
 * `rolecall export` read by what each format is for: bash and zsh eval its
 * sh lines, fish sources its fish lines, and the AWS CLI in that shell is
 * the role (moto); python-dotenv reads the dotenv file; the AWS CLI reads
 * the ini section as its credentials file. Values with quotes, line breaks,
 * `$`, backquotes and `$(…)` come back exactly and run nothing. No secret in
 * argv or --debug; on a terminal, a word on stderr that secrets follow.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { shellQuote } from '../helpers/pseudo-terminal.js';
import { rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, rolesOverBase, stsWorldForSuite } from '../helpers/sts-world.js';
import { openTerminal } from '../helpers/terminal-session.js';
import { watchArgv } from '../helpers/secret-scan.js';

const CONFIG = rolesOverBase({ admin: 'Admin' });

/** What a credential_process may hand over: every character a shell or a .env reader could take for code. */
const ODD = {
  AccessKeyId: 'AKIAODDVALUES0000001',
  SecretAccessKey: `it's "quoted" $HOME \${HOME} $(touch pwned) \`touch pwned\` back\\slash\nsecond line\ttab; é ∑ 'x'`,
  SessionToken: `tok'en\n$(touch pwned)\n\\n!*?[a] #no comment`,
};

const ODD_DOTENV = { ...ODD, SecretAccessKey: ODD.SecretAccessKey.replace(' ${HOME}', '') };

const ROLE_ARN = /^arn:aws:sts::123456789012:assumed-role\/Admin\/.+$/;
const ROLECALL = `${shellQuote(process.execPath)} ${shellQuote(rolecallBin)}`;
const PRINT_ARN = 'aws sts get-caller-identity --query Arn --output text';

describe('rolecall export', { concurrency: false }, () => {
  const suite = stsWorldForSuite();
  const base = randomKeys();
  beforeEach(() => suite.world.proxy.reset());

  function box(): Sandbox {
    // AWS_PROFILE names no profile: the CLI would fail on it, unless export unsets it.
    const sandbox = suite.world.sandbox({ AWS_PROFILE: 'not-a-profile' });
    // credential_process is run without a shell (as botocore runs it): the path in full.
    const processProfile = (name: string) => `\n[profile ${name}]\ncredential_process = sh ${join(sandbox.home, `${name}.sh`)}\n`;
    sandbox.write('.aws/config', CONFIG + processProfile('odd') + processProfile('odd-dotenv'));
    sandbox.write('.aws/credentials', credentialsFile({ base }));
    sandbox.write('odd.json', JSON.stringify({ Version: 1, ...ODD }));
    sandbox.write('odd.sh', 'cat "$HOME/odd.json"\n');
    // python-dotenv expands ${NAME} in any value and has no escape for it: that one is refused, all else kept.
    sandbox.write('odd-dotenv.json', JSON.stringify({ Version: 1, ...ODD_DOTENV }));
    sandbox.write('odd-dotenv.sh', 'cat "$HOME/odd-dotenv.json"\n');
    return sandbox;
  }

  const inShell = (sandbox: Sandbox, shell: string, script: string) => runProcess(shell, ['-c', script], { env: sandbox.env, cwd: sandbox.home });

  /** The values the shell holds after taking the export in, written to files byte for byte. */
  const keep = 'printf %s "$AWS_SECRET_ACCESS_KEY" > "$HOME/got-secret"; printf %s "$AWS_SESSION_TOKEN" > "$HOME/got-token"';
  function assertOddKept(sandbox: Sandbox): void {
    assert.equal(readFileSync(join(sandbox.home, 'got-secret'), 'utf8'), ODD.SecretAccessKey);
    assert.equal(readFileSync(join(sandbox.home, 'got-token'), 'utf8'), ODD.SessionToken);
    assert.equal(existsSync(join(sandbox.home, 'pwned')), false, 'nothing in a value ran');
  }

  for (const shell of ['bash', 'zsh']) {
    test(`eval "$(rolecall export P)" in ${shell}: the AWS CLI is the role; odd values survive`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws', shell)) return;
      const sandbox = box();
      const role = await inShell(sandbox, shell, `out=$(${ROLECALL} export admin) || exit 9; eval "$out"; [ -z "\${AWS_PROFILE+set}" ] || exit 8; ${PRINT_ARN}`);
      assert.equal(role.status, 0, role.stderr);
      assert.match(role.stdout.trim(), ROLE_ARN);
      const odd = await inShell(sandbox, shell, `out=$(${ROLECALL} export odd) || exit 9; eval "$out"; ${keep}`);
      assert.equal(odd.status, 0, odd.stderr);
      assertOddKept(sandbox);
    });
  }

  test('rolecall export P --format fish | source in fish: the AWS CLI is the role; odd values survive', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'fish')) return;
    const sandbox = box();
    const role = await inShell(sandbox, 'fish', `${ROLECALL} export admin --format fish | source; set -q AWS_PROFILE; and exit 8; ${PRINT_ARN}`);
    assert.equal(role.status, 0, role.stderr);
    assert.match(role.stdout.trim(), ROLE_ARN);
    const odd = await inShell(sandbox, 'fish', `${ROLECALL} export odd --format fish | source; ${keep}`);
    assert.equal(odd.status, 0, odd.stderr);
    assertOddKept(sandbox);
  });

  test('dotenv, read by python-dotenv, holds the same values as exec gives a child', async (t) => {
    if (!requireCommands(t, 'moto_server', 'python3')) return;
    const sandbox = box();
    const read = async (profile: string): Promise<Record<string, string>> => {
      const exported = await runRolecall(sandbox, ['export', profile, '--format', 'dotenv']);
      assert.equal(exported.status, 0, exported.stderr);
      const file = sandbox.write(`${profile}.env`, exported.stdout);
      const parsed = await runProcess('python3', ['-c', 'import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))', file], { env: sandbox.env });
      if (parsed.status !== 0 && /No module named/.test(parsed.stderr)) requireCommands(t, 'python-dotenv (pip install python-dotenv)');
      assert.equal(parsed.status, 0, parsed.stderr);
      return JSON.parse(parsed.stdout) as Record<string, string>;
    };
    const child = await runRolecall(sandbox, ['exec', 'admin', '--', 'env']);
    const childEnv = Object.fromEntries(child.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    const admin = await read('admin');
    assert.deepEqual(Object.keys(admin), ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION', 'AWS_DEFAULT_REGION']);
    for (const [name, value] of Object.entries(admin)) assert.equal(value, childEnv[name], name);
    const odd = await read('odd-dotenv');
    assert.equal(odd.AWS_SECRET_ACCESS_KEY, ODD_DOTENV.SecretAccessKey);
    assert.equal(odd.AWS_SESSION_TOKEN, ODD_DOTENV.SessionToken);
    const refused = await runRolecall(sandbox, ['export', 'odd', '--format', 'dotenv']);
    assert.equal(refused.status, 1);
    assert.equal(refused.stdout, '');
    assert.equal(refused.stderr, 'rolecall: AWS_SECRET_ACCESS_KEY holds "${", which .env readers such as python-dotenv expand; use --format sh, fish or json\n');
  });

  test('ini, as the AWS CLI credentials file, is the role; env and json match', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const ini = await runRolecall(sandbox, ['export', 'admin', '--format', 'ini', '--section', 'from-rolecall']);
    assert.equal(ini.status, 0, ini.stderr);
    const credentials = sandbox.write('exported-credentials', ini.stdout);
    const empty = sandbox.write('empty-config', '');
    const viaFile = await runProcess('aws', ['--profile', 'from-rolecall', '--region', 'eu-west-1', ...PRINT_ARN.split(' ').slice(1)], {
      env: { ...sandbox.env, AWS_PROFILE: '', AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: empty },
    });
    assert.equal(viaFile.status, 0, viaFile.stderr);
    assert.match(viaFile.stdout.trim(), ROLE_ARN);

    const json = JSON.parse((await runRolecall(sandbox, ['export', 'admin', '--format', 'json'])).stdout) as Record<string, string>;
    const env = (await runRolecall(sandbox, ['export', 'admin', '--format', 'env'])).stdout;
    assert.deepEqual(json, JSON.parse((await runRolecall(sandbox, ['credential-process', 'admin'])).stdout));
    assert.match(env, new RegExp(`^AWS_SECRET_ACCESS_KEY=${json.SecretAccessKey?.replace(/[+/]/g, '\\$&')}$`, 'm'));
    assert.match(ini.stdout, new RegExp(`^aws_session_token = ${json.SessionToken?.replace(/[+/]/g, '\\$&')}$`, 'm'));
    assert.deepEqual(suite.world.proxy.counts(), { AssumeRole: 1, GetCallerIdentity: 1, ...(suite.world.proxy.count('GetSessionToken') ? { GetSessionToken: 1 } : {}) }, 'one session for all');

    // What a format cannot carry is refused in one line, not written to read back as something else.
    for (const format of ['env', 'ini']) {
      const refused = await runRolecall(sandbox, ['export', 'odd', '--format', format]);
      assert.equal(refused.status, 1);
      assert.equal(refused.stdout, '');
      assert.match(refused.stderr, /^rolecall: AWS_SECRET_ACCESS_KEY holds a line break|^rolecall: aws_secret_access_key holds a line break/);
      assert.equal(refused.stderr.trimEnd().split('\n').length, 1);
    }
  });

  test('secrets: none in argv or --debug; on a terminal stderr says they follow, in a pipe it does not', async (t) => {
    if (!requireCommands(t, 'moto_server', 'script')) return;
    const sandbox = box();
    const argv = watchArgv([base.secretAccessKey, ODD.SecretAccessKey]);
    const piped = await runRolecall(sandbox, ['export', '--debug', 'admin']);
    const odd = await runRolecall(sandbox, ['export', '--debug', 'odd', '--format', 'json']);
    assert.deepEqual(argv.stop(), []);
    assert.equal(piped.status, 0, piped.stderr);
    assert.match(piped.stderr, /AssumeRole/);
    assert.doesNotMatch(piped.stderr, /hold secret keys/);
    const secret = /AWS_SECRET_ACCESS_KEY='([^']+)'/.exec(piped.stdout)?.[1] as string;
    const token = /AWS_SESSION_TOKEN='([^']+)'/.exec(piped.stdout)?.[1] as string;
    for (const s of [secret, token, base.secretAccessKey, ODD.SecretAccessKey]) {
      assert.ok(s && !piped.stderr.includes(s) && !odd.stderr.includes(s), 'no secret in --debug');
    }

    const terminal = openTerminal([process.execPath, rolecallBin, 'export', 'admin'], sandbox.env, sandbox.home);
    t.after(() => terminal.close());
    await terminal.waitFor(/export AWS_DEFAULT_REGION=/, 1);
    assert.match(terminal.shown(), /rolecall: the lines below hold secret keys/);
  });
});
