/**
 * Where a secret must never be, checked for real: for add, import, list and
 * exec --debug, with each backend, the base secrets and the file vault's
 * passphrase appear in no output, in no process's argv while rolecall runs
 * (every /proc/PID/cmdline is read every few ms, and rolecall's own child,
 * an mfa_process script, dumps `ps -eo args` mid-run), and in no file under
 * HOME except the one the user put there and its backup.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { CALLER_ARN, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName } from './vault-harness.js';
import { filesHolding, watchArgv } from '../helpers/secret-scan.js';

describe('secrets stay out of argv, output and plain-text files', { concurrency: false }, () => {
  let world: StsWorld;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());

  for (const backend of BACKENDS) {
    test(`${backend} backend: add, import, list and exec --debug`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws', 'ps') || !(await requireBackend(t, backend))) return;
      const env = backendEnv(backend);
      const box = world.sandbox(env);
      const base = uniqueName('base');
      const legacy = uniqueName('legacy');
      const role = uniqueName('role');
      const added = randomKeys();
      const imported = randomKeys();
      const secrets = [added.secretAccessKey, imported.secretAccessKey, ...(env.ROLECALL_FILE_PASSPHRASE ? [env.ROLECALL_FILE_PASSPHRASE] : [])];
      box.write(
        '.aws/config',
        `[profile ${role}]\nrole_arn = arn:aws:iam::123456789012:role/Secretive\nsource_profile = ${base}\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nmfa_process = sh "$HOME/mfa.sh"\nregion = eu-west-1\n`,
      );
      box.write('.aws/credentials', `# kept\n[${legacy}]\naws_access_key_id = ${imported.accessKeyId}\naws_secret_access_key = ${imported.secretAccessKey}\nregion = eu-west-1\n`);
      // rolecall's own child, run while rolecall holds the base keys: it records every argv on the machine.
      box.write('mfa.sh', 'ps -eo args > "$HOME/argv-during-mfa.txt"\ncat /proc/[0-9]*/cmdline | tr "\\0" " " >> "$HOME/argv-during-mfa.txt"\necho 123456\n');
      t.after(async () => {
        await runRolecall(box, ['remove', base, '--force']);
        await runRolecall(box, ['remove', legacy, '--force']);
      });

      const runs: Array<[string, RunResult]> = [];
      const watcher = watchArgv(secrets);
      const run = async (args: string[], extra: Record<string, string> = {}) => {
        const result = await runRolecall(box, args, { env: extra });
        runs.push([args.join(' '), result]);
        assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
        return result;
      };
      let exec: RunResult;
      let argvHits: string[] = [];
      try {
        await run(['add', base, '--env'], { AWS_ACCESS_KEY_ID: added.accessKeyId, AWS_SECRET_ACCESS_KEY: added.secretAccessKey });
        await run(['import', legacy]);
        await run(['list']);
        await run(['list', '--json']);
        exec = await run(['exec', '--debug', role, '--', ...CALLER_ARN]);
        await run(['exec', '--debug', '--no-session', legacy, '--', 'true']);
        await run(['import', legacy, '--remove-plaintext']);
        await run(['exec', '--debug', '--no-session', legacy, '--', 'true']);
      } finally {
        argvHits = watcher.stop();
      }

      assert.match(exec.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Secretive\//, 'the chain really ran, MFA script included');
      assert.match(exec.stderr, /rolecall: debug: keys of profile "base-\w+" \(AKIA…\w{4}\) from the (keychain|file) vault/);
      if (backend === 'file') {
        // The scrypt moment is named before it happens, so the time shows where it goes.
        const unlocking = exec.stderr.indexOf('rolecall: debug: unlocking the file vault ~/.local/share/rolecall/vault (scrypt N=');
        assert.ok(unlocking >= 0, exec.stderr);
        assert.ok(unlocking < exec.stderr.indexOf('from the file vault'), 'said before the keys come out of it');
      }
      for (const [what, result] of runs) {
        for (const secret of secrets) {
          assert.ok(!result.stdout.includes(secret), `${what}: a secret in stdout`);
          assert.ok(!result.stderr.includes(secret), `${what}: a secret in stderr`);
        }
      }
      assert.deepEqual(argvHits, [], 'a secret in some process argv');
      const dump = readFileSync(join(box.home, 'argv-during-mfa.txt'), 'utf8');
      assert.match(dump, /rolecall\.cjs exec --debug/, 'the dump saw rolecall itself');
      for (const secret of secrets) assert.ok(!dump.includes(secret), 'the mfa_process child saw a secret in some argv');
      assertFiles(box, added.secretAccessKey, imported.secretAccessKey, secrets);
    });
  }
});

function assertFiles(box: Sandbox, addedSecret: string, importedSecret: string, secrets: readonly string[]): void {
  assert.deepEqual(filesHolding(box, [addedSecret]), [], 'the added secret is in no file under HOME');
  // The imported one was put in ~/.aws/credentials by the user; after
  // --remove-plaintext it is only in the 0600 backup of that file.
  const holding = filesHolding(box, [importedSecret]);
  assert.equal(holding.length, 1, holding.join(', '));
  assert.match(holding[0] as string, /^\.aws\/credentials\.rolecall-backup-[\dTZ-]+$/);
  const passphrase = secrets[2];
  if (passphrase) assert.deepEqual(filesHolding(box, [passphrase]), [], 'the passphrase is in no file');
}
