/**
 * How fast `rolecall exec` starts when it needs no network, against bare
 * `node -e 0` in the same run (the aim: a warm exec within 1.5x of it).
 * Scenarios: --version; exec of a keys profile with --no-session (config
 * parsing and spawning, no STS); exec of a role whose session is cached
 * (primed once against moto; the proxy shows the timed runs made no call);
 * credential-process of the same role, which tools run as often as exec.
 *
 *   npm run build && node build/bench/exec-startup.js [rounds] [file|keychain]
 *
 * The backend decides where the cached session is read from: `keychain`
 * (the default for users; run inside a D-Bus session with an unlocked
 * gnome-keyring) or `file` (the encrypted vault, whose scrypt unlock is paid
 * once per process).
 */
import { dirname, join } from 'node:path';
import { startStsWorld, credentialsFile, randomKeys } from '../test/helpers/sts-world.js';
import { rolecallBin, runRolecall } from '../test/helpers/sandbox.js';
import { measureCommands, ratioTable } from './measure-command.js';

const rounds = Number(process.argv[2] ?? 30);
const backend = process.argv[3] ?? 'file';
const world = await startStsWorld();
try {
  const sandbox = world.sandbox({ ROLECALL_BACKEND: backend });
  sandbox.write(
    '.aws/config',
    '[profile keys]\nregion = eu-west-1\n\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Bench\nsource_profile = keys\nregion = eu-west-1\n',
  );
  sandbox.write('.aws/credentials', credentialsFile({ keys: randomKeys() }));
  const primed = await runRolecall(sandbox, ['exec', 'role', '--', 'true']);
  if (primed.status !== 0) throw new Error(`priming failed: ${primed.stderr}`);
  world.proxy.reset();

  const node = process.execPath;
  const env = sandbox.env;
  const figures = measureCommands(
    [
      { name: 'node -e 0 (baseline)', argv: [node, '-e', '0'], env },
      { name: 'rolecall --version', argv: [node, rolecallBin, '--version'], env },
      { name: 'rolecall exec keys --no-session -- true', argv: [node, rolecallBin, 'exec', '--no-session', 'keys', '--', 'true'], env },
      { name: 'rolecall exec role -- true (cached)', argv: [node, rolecallBin, 'exec', 'role', '--', 'true'], env },
      { name: 'rolecall credential-process role (cached)', argv: [node, rolecallBin, 'credential-process', 'role'], env },
      // The same command through clipanion (dist/main.js), to show what the fast path saves.
      { name: 'credential-process role via clipanion (cached)', argv: [node, join(dirname(rolecallBin), 'main.js'), 'credential-process', 'role'], env },
    ],
    rounds,
  );
  console.log(`exec startup, ${rounds} rounds, round-robin, ${backend} backend; node ${process.version}`);
  console.log(ratioTable(figures, figures[0]!));
  const calls = world.proxy.calls.length;
  console.log(`STS calls during the timed runs: ${calls}${calls ? ' (the role was NOT served from the cache)' : ''}`);
} finally {
  await world.stop();
}
