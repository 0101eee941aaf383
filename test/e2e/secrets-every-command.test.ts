/**
 * Every command that touches a secret, run with --debug where it has one
 * (add, import, allow, hook-env and agent have none), on canary values, for
 * each backend (the keychain under gnome-keyring, the file vault) with the
 * agent on: add, import (and --remove-plaintext), exec (MFA from
 * mfa_process), exec over a credential_process, exec --server, credential-process,
 * export into a file, login (--stdout and $BROWSER, at the fake federation
 * endpoint), rotate (moto's IAM), sso login (PKCE, at the fake Identity
 * Center) and an SSO exec, the bash hook entering a profile, agent --status.
 *
 * The secrets: the base keys, the imported keys, the passphrase, the MFA
 * code, a credential_process's session, moto's sessions (the role's, read
 * where they land; GetSessionToken's, from credential-process), the
 * credential server's token, the console sign-in tokens, the rotated keys,
 * and every secret of the sign-in (client secret, code, verifier, tokens).
 *
 * Where each is meant to go, and only there: the exec child's own
 * environment (and its children's); credential-process's, login --stdout's
 * and hook-env's stdout; the exported file (0600, though the shell's umask
 * said 0644); the backup of ~/.aws/credentials that --remove-plaintext
 * keeps (0600); the console URL in the argv of $BROWSER, its documented
 * interface; the environment the test itself gave a rolecall command.
 * Everywhere else zero hits: rolecall's stdout and stderr, every file under
 * HOME (the runtime and state directories are under it; the file vault's
 * encrypted items too), as it is and as base64 or hex; the argv of every
 * process on the machine and the environment of every process of the
 * sandbox (the agent, mfa_process, credential_process, the browser), polled
 * from /proc while the commands run and dumped by the helpers themselves
 * while rolecall waits on them.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeFederation, type FakeFederation } from '../helpers/fake-federation.js';
import { oidcControls } from '../helpers/fake-sso-oidc.js';
import { motoAdmin } from '../helpers/moto-server.js';
import { requireCommands } from '../helpers/peers.js';
import { parseEnv, rolecallBin, runProcess, runRolecall, type RunResult } from '../helpers/sandbox.js';
import { filesHoldingAnyForm, secretsIn, watchProcesses, type SeenProcess } from '../helpers/secret-scan.js';
import { ssoWorldForSuite, START_URL } from '../helpers/sso-world.js';
import { AGENT_ON, agentPids, waitForAgents } from './agent-harness.js';
import { withBrowser } from './sso-login-harness.js';
import { BACKENDS, requireBackend, uniqueName, type Backend } from './vault-harness.js';

/** What moto's GetSessionToken always returns: the MFA session under the role. */
const MOTO_SESSION_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

/** A recognisable canary of 40 characters: `CANARY` + what it stands for + random hex. */
function canary(what: string): string {
  const head = `CANARY${what}`;
  return head + randomBytes(20).toString('hex').slice(0, 40 - head.length);
}

/**
 * The child of an exec: it records its own environment and every argv on the
 * machine, where no scan looks (the dump directory). What it starts carries
 * EXEC_CHILD_TREE: the child's own environment, passed on, is where the session goes.
 */
const CHILD_SCRIPT = `label=$1; shift
export EXEC_CHILD_TREE=1
env > "$DUMP/child-$label.env"
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done > "$DUMP/argv-child-$label.txt"
"$@"
`;

/** mfa_process: run while rolecall holds the base keys; dumps its environment and every argv, then answers the code. */
const MFA_SCRIPT = (code: string) => `env > "$DUMP/mfa-$$.env"
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done > "$DUMP/argv-mfa-$$.txt"
echo ${code}
`;

/** credential_process: the same dumps, then a session of canaries. */
const PROCESS_SCRIPT = (secret: string, token: string) => `env > "$DUMP/process-$$.env"
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done > "$DUMP/argv-process-$$.txt"
printf '{"Version":1,"AccessKeyId":"ASIAPROCESSCANARY000","SecretAccessKey":"${secret}","SessionToken":"${token}","Expiration":"2099-01-01T00:00:00Z"}'
`;

/** The console's $BROWSER: keeps the URL it is given (its argv is where the URL goes) and its environment, opens nothing. */
const BROWSER_SCRIPT = `#!/bin/sh
printf '%s\\n' "$@" > "$DUMP/browser-$$.argv"
env > "$DUMP/browser-$$.env"
`;

describe('no secret of any command lands outside where it is meant to go', { concurrency: true }, () => {
  const suite = ssoWorldForSuite();
  let federation: FakeFederation;
  // One watch of /proc for both backends' tests, which run at once: each reads the processes of its own sandbox.
  let processes: ReturnType<typeof watchProcesses>;
  before(async () => {
    federation = await startFakeFederation();
    // Every 50 ms, not 5: this watch runs through the whole file, and each round costs a few ms of CPU.
    // What lives shorter than that (a helper, the console's browser) is seen by its own dump instead.
    processes = watchProcesses({ environ: true, everyMs: 50 });
  });
  after(async () => {
    processes?.stop();
    await federation?.stop();
  });

  for (const backend of BACKENDS) {
    test(`${backend} backend, the agent on`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws', 'sh') || !(await requireBackend(t, backend))) return;
      await everyCommand(t, backend);
    });
  }

  async function everyCommand(t: import('node:test').TestContext, backend: Backend): Promise<void> {
    const { world } = suite;
    const dump = mkdtempSync(join(tmpdir(), 'rolecall-dump-'));
    t.after(() => rmSync(dump, { recursive: true, force: true }));
    const passphrase = canary('pass');
    const box = world.sandbox({
      ...AGENT_ON,
      ROLECALL_BACKEND: backend,
      ROLECALL_FILE_PASSPHRASE: passphrase,
      AWS_ENDPOINT_URL_IAM: world.sts.proxy.url,
      AWS_ENDPOINT_URL_SIGNIN: federation.url,
      DUMP: dump,
    });
    // The keychain is one per D-Bus session: names of this test's own.
    const [base, role, legacy, rot, proc, sso] = ['base', 'role', 'legacy', 'rot', 'proc', 'sso'].map((p) => uniqueName(`every-${p}`)) as [string, string, string, string, string, string];
    const mfaCode = String(randomInt(100_000, 1_000_000));
    const baseSecret = canary('base');
    const legacySecret = canary('legacy');
    const processSecret = canary('procsecret');
    const processToken = canary('proctoken') + canary('proctoken');
    writeFileSync(join(dump, 'child.sh'), CHILD_SCRIPT);
    writeFileSync(join(dump, 'mfa.sh'), MFA_SCRIPT(mfaCode));
    writeFileSync(join(dump, 'process.sh'), PROCESS_SCRIPT(processSecret, processToken));
    writeFileSync(join(dump, 'browser.sh'), BROWSER_SCRIPT);
    chmodSync(join(dump, 'browser.sh'), 0o755);
    const child = (label: string, ...then: string[]) => ['sh', join(dump, 'child.sh'), label, ...then];
    const childEnv = (label: string) => parseEnv(readFileSync(join(dump, `child-${label}.env`), 'utf8'));

    // The rotated user, in moto's IAM: its keys are moto's own.
    await motoAdmin(world.sts.moto, ['iam', 'create-user', '--user-name', rot]);
    const rotOld = (await motoAdmin(world.sts.moto, ['iam', 'create-access-key', '--user-name', rot])).AccessKey as { AccessKeyId: string; SecretAccessKey: string };

    const ssoBrowser = withBrowser(
      box,
      `[profile ${base}]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nmfa_process = sh ${join(dump, 'mfa.sh')}\n\n` +
        `[profile ${role}]\nrole_arn = arn:aws:iam::123456789012:role/Everything\nsource_profile = ${base}\nregion = eu-west-1\n\n` +
        `[profile ${rot}]\nregion = eu-west-1\n\n` +
        `[profile ${proc}]\ncredential_process = sh ${join(dump, 'process.sh')}\nregion = eu-west-1\n\n` +
        `[sso-session ${sso}]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\n\n[profile ${sso}]\nsso_session = ${sso}\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = eu-west-1\n`,
    );
    box.write('.aws/credentials', `# the user's own file\n[${legacy}]\naws_access_key_id = AKIALEGACYCANARY0000\naws_secret_access_key = ${legacySecret}\n`, 0o600);
    box.write('project/.awsprofile', `${role}\n`);
    t.after(async () => {
      for (const profile of [base, legacy, rot]) await runRolecall(box, ['remove', profile, '--force']);
      await runRolecall(box, ['sso', 'logout', sso]);
      await runRolecall(box, ['lock']);
    });

    /** stdout that is not where a secret goes is scanned; `meant` marks the ones that are. */
    const scanned: Array<[string, string]> = [];
    const run = async (args: string[], options: { env?: Record<string, string>; meant?: 'stdout'; cwd?: string } = {}): Promise<RunResult> => {
      const result = await runRolecall(box, args, { ...(options.env ? { env: options.env } : {}), ...(options.cwd ? { cwd: options.cwd } : {}) });
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      scanned.push([`${args.join(' ')}: stderr`, result.stderr]);
      if (options.meant !== 'stdout') scanned.push([`${args.join(' ')}: stdout`, result.stdout]);
      return result;
    };

    let seen: SeenProcess[] = [];
    let agents: number[] = [];
    /** Secrets read where they are meant to land, to look for everywhere else. */
    const found: Record<string, string> = {};
    try {
      await run(['add', base, '--env'], { env: { AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, AWS_SECRET_ACCESS_KEY: baseSecret } });
      await run(['add', rot, '--env'], { env: { AWS_ACCESS_KEY_ID: rotOld.AccessKeyId, AWS_SECRET_ACCESS_KEY: rotOld.SecretAccessKey } });
      await run(['import', legacy]);
      await run(['import', legacy, '--remove-plaintext']);

      const exec = await run(['exec', '--debug', role, '--', ...child('role')]);
      assert.match(exec.stderr, /mfa_process/, 'the chain ran, MFA script included');
      assert.ok(childEnv('role').AWS_SESSION_TOKEN, 'the child got the role session');
      agents = await waitForAgents(box, 1);
      await run(['exec', '--debug', '--no-session', legacy, '--', ...child('legacy')]);
      assert.equal(childEnv('legacy').AWS_SECRET_ACCESS_KEY, legacySecret, 'the imported keys reach the child');
      await run(['exec', '--debug', proc, '--', ...child('proc')]);
      assert.equal(childEnv('proc').AWS_SESSION_TOKEN, processToken, "the credential_process's session reaches the child");
      const served = await run(['exec', '--debug', '--server', role, '--', ...child('server', 'aws', 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text')]);
      assert.match(served.stdout, /assumed-role\/Everything\//, "the child's SDK got the session from the server");
      const serverEnv = childEnv('server');
      assert.equal(serverEnv.AWS_SECRET_ACCESS_KEY, undefined, 'a --server child gets no keys');
      found.serverToken = serverEnv.AWS_CONTAINER_AUTHORIZATION_TOKEN ?? '';
      assert.ok(found.serverToken.length >= 43);

      const cpRole = JSON.parse((await run(['credential-process', '--debug', role], { meant: 'stdout' })).stdout) as { SecretAccessKey: string; SessionToken: string };
      const cpBase = JSON.parse((await run(['credential-process', '--debug', base], { meant: 'stdout' })).stdout) as { SecretAccessKey: string; SessionToken: string };
      assert.equal(cpRole.SecretAccessKey, childEnv('role').AWS_SECRET_ACCESS_KEY, 'the cached session');
      assert.equal(cpBase.SecretAccessKey, MOTO_SESSION_SECRET, "the MFA session under the role: moto's GetSessionToken");
      found.mfaSessionToken = cpBase.SessionToken;

      // Into a file the shell creates with the umask of many systems: readable by all, until rolecall tightens it.
      const exportedFile = join(box.home, 'exported.ini');
      const exported = await runProcess('sh', ['-c', `umask 022; exec "${process.execPath}" "${rolecallBin}" export --debug --format ini ${role} > "${exportedFile}"`], { env: box.env, cwd: box.home });
      assert.equal(exported.status, 0, exported.stderr);
      scanned.push(['export: stderr', exported.stderr], ['export: stdout', exported.stdout]);
      assert.match(readFileSync(exportedFile, 'utf8'), new RegExp(`^aws_secret_access_key = ${cpRole.SecretAccessKey.replace(/[+/]/g, '\\$&')}$`, 'm'));
      assert.equal(statSync(exportedFile).mode & 0o777, 0o600, 'the exported file is 0600');

      const printed = await run(['login', '--debug', '--stdout', role], { meant: 'stdout' });
      assert.ok(federation.requests.some((request) => printed.stdout.includes(request.token)), 'the URL holds the sign-in token');
      const opened = await run(['login', '--debug', role], { env: { BROWSER: join(dump, 'browser.sh') } });
      assert.match(opened.stdout, /opened the AWS console/);

      await run(['rotate', '--debug', rot]);
      await run(['exec', '--debug', '--no-session', rot, '--', ...child('rot')]);
      found.rotNew = childEnv('rot').AWS_SECRET_ACCESS_KEY ?? '';
      assert.ok(found.rotNew && found.rotNew !== rotOld.SecretAccessKey, 'rotate stored a new key');

      await run(['sso', 'login', '--debug', sso], { env: ssoBrowser });
      await run(['exec', '--debug', sso, '--', ...child('sso')]);

      const project = join(box.home, 'project');
      await run(['allow', project]);
      const hook = await run(['hook-env', 'bash'], {
        meant: 'stdout',
        cwd: project,
        env: { PWD: project, _ROLECALL_PWD: project, _ROLECALL_OLDPWD: box.home, _ROLECALL_ACTIVE: '' },
      });
      assert.ok(hook.stdout.includes(cpRole.SecretAccessKey), "the hook's output holds the session, for the shell to eval");

      const status = await run(['agent', '--status']);
      assert.match(status.stdout, /unlocked|keys:/);
      assert.deepEqual(agentPids(box), agents, 'one agent all along');
    } finally {
      seen = processes.seen();
    }

    const roleEnv = childEnv('role');
    const ssoEnv = childEnv('sso');
    const controls = oidcControls(world.identityCenter.state);
    const secrets = [
      baseSecret,
      legacySecret,
      passphrase,
      mfaCode,
      processSecret,
      processToken,
      MOTO_SESSION_SECRET,
      found.mfaSessionToken,
      roleEnv.AWS_SECRET_ACCESS_KEY,
      roleEnv.AWS_SESSION_TOKEN,
      found.serverToken,
      rotOld.SecretAccessKey,
      found.rotNew,
      ssoEnv.AWS_SECRET_ACCESS_KEY,
      ssoEnv.AWS_SESSION_TOKEN,
      ...federation.requests.map((request) => request.token),
      ...[...controls.clients.values()].map((client) => client.clientSecret),
      ...controls.codes.keys(),
      ...controls.verifiers,
      ...[...world.identityCenter.state.tokens.values()].flatMap((token) => [token.accessToken, ...(token.refreshToken ? [token.refreshToken] : [])]),
    ].filter((secret): secret is string => {
      assert.ok(secret && secret.length >= 6, `a secret to look for: ${secret}`);
      return true;
    });
    assert.ok(controls.verifiers.length >= 1 && controls.codes.size >= 1, 'the PKCE sign-in ran');

    // Output.
    const inOutput = scanned.flatMap(([what, text]) => secretsIn(text, secrets).map((secret) => `${what} holds ${secret.slice(0, 12)}…`));
    assert.deepEqual(inOutput, [], 'a secret in the output of a command');

    // Files under HOME, as they are and encoded: the exported file and the credentials backup are where theirs go.
    const files = filesHoldingAnyForm(box, secrets);
    const backups = Object.keys(files).filter((file) => /^\.aws\/credentials\.rolecall-backup-[\dTZ-]+$/.test(file));
    assert.equal(backups.length, 1, `the one backup --remove-plaintext kept: ${Object.keys(files).join(', ')}`);
    assert.equal(statSync(join(box.home, backups[0] as string)).mode & 0o777, 0o600, 'the backup is 0600');
    assert.deepEqual(secretsIn(readFileSync(join(box.home, backups[0] as string), 'utf8'), secrets), [legacySecret], 'the backup holds only what the user had put there');
    assert.deepEqual(secretsIn(readFileSync(join(box.home, 'exported.ini'), 'utf8'), secrets).sort(), [roleEnv.AWS_SECRET_ACCESS_KEY, roleEnv.AWS_SESSION_TOKEN].sort());
    const elsewhere = Object.keys(files).filter((file) => file !== 'exported.ini' && !backups.includes(file));
    assert.deepEqual(elsewhere, [], 'a secret in a file under HOME (or the runtime dir)');
    assert.ok(!readFileSync(join(box.home, '.aws', 'credentials'), 'utf8').includes(legacySecret), '--remove-plaintext removed it from the credentials file');

    // Processes: argv of all, the environment of the sandbox's own.
    // The console's $BROWSER of either backend's test (they run at once): the URL is its argument by design.
    const isBrowser = (argv: string) => /\/rolecall-dump-\w+\/browser\.sh /.test(argv);
    const ours = (p: SeenProcess) => p.environ.includes(`HOME=${box.home}`);
    const childTree = new Set(seen.filter((p) => p.argv.includes(join(dump, 'child.sh')) || p.environ.includes('EXEC_CHILD_TREE=1')).map((p) => p.pid));
    // A rolecall command's own environment is the one this test gave it (the agent's, which rolecall made, is scanned).
    const givenByTest = (p: SeenProcess) => p.ppid === process.pid || (p.argvWords[1] === rolecallBin && !(p.argvWords.includes('agent') && p.argvWords.includes('--foreground')));
    const long = secrets.filter((secret) => secret.length >= 16);
    const argvHits = seen
      .filter((p) => !isBrowser(p.argv))
      .flatMap((p) => secretsIn(p.argv, ours(p) ? secrets : long, false).map((secret) => `${p.pid} ${p.argv.slice(0, 120)} holds ${secret.slice(0, 12)}…`));
    assert.deepEqual(argvHits, [], 'a secret in some argv');
    const environHits = seen
      .filter((p) => ours(p) && !childTree.has(p.pid) && !givenByTest(p))
      .flatMap((p) => secretsIn(p.environ.join('\n'), secrets, false).map((secret) => `${p.pid} ${p.argv.slice(0, 120)} holds ${secret.slice(0, 12)}…`));
    assert.deepEqual(environHits, [], 'a secret in the environment of a process of rolecall other than the child');
    assert.ok(seen.some((p) => ours(p) && p.argvWords.includes('--foreground')), "the scan saw the agent's environment");
    assert.ok(seen.some((p) => childTree.has(p.pid)) && seen.some((p) => ours(p) && !childTree.has(p.pid) && !givenByTest(p) && !p.argvWords.includes('--foreground')), 'and those of the helpers');

    // What the helpers dumped while rolecall waited on them.
    const dumps = readdirSync(dump);
    assert.ok(dumps.some((f) => f.startsWith('mfa-')) && dumps.some((f) => f.startsWith('process-')) && dumps.some((f) => f.startsWith('browser-')), dumps.join(' '));
    for (const file of dumps) {
      const text = readFileSync(join(dump, file), 'utf8');
      if (/^argv-/.test(file)) {
        const lines = text.split('\n').filter((line) => !isBrowser(line));
        assert.deepEqual(lines.flatMap((line) => secretsIn(line, long, false)), [], `${file}: a secret in some argv while rolecall waited`);
      } else if (/^(mfa|process|browser)-.*\.env$/.test(file)) {
        assert.deepEqual(secretsIn(text, secrets, false), [], `${file}: a secret in a helper's environment`);
      } else if (/^browser-.*\.argv$/.test(file)) {
        assert.ok(federation.requests.some((request) => text.includes(request.token)), "the browser got the console URL, its token in it");
      }
    }
  }
});
