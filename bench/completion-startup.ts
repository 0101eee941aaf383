/**
 * What a TAB costs: the whole process the completion scripts run (node
 * dist/complete.cjs), against bare `node -e 0` in the same run (the aim:
 * within 1.3x of it), with a config of 41 profiles. For comparison: the
 * scripts' fallback `rolecall __complete` (the ES module bundle of exec), and
 * `rolecall completion bash` (through clipanion, run once at shell start-up).
 *
 *   npm run build && node build/bench/completion-startup.js [rounds]
 */
import { dirname, join } from 'node:path';
import { makeSandbox, rolecallBin } from '../test/helpers/sandbox.js';
import { measureCommands, ratioTable } from './measure-command.js';

// Both sides start without it: with a CA bundle to read, every node start is slower.
delete process.env.NODE_EXTRA_CA_CERTS;

const rounds = Number(process.argv[2] ?? 30);
const sandbox = makeSandbox();
try {
  const profiles = Array.from({ length: 40 }, (_, i) => `[profile team-${i}]\nrole_arn = arn:aws:iam::123456789012:role/R${i}\nsource_profile = base\nregion = eu-west-1\n`);
  sandbox.write('.aws/config', `[profile base]\nregion = eu-west-1\n\n${profiles.join('\n')}`);
  sandbox.write('.aws/credentials', '[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
  const node = process.execPath;
  const env = sandbox.env;
  const completer = join(dirname(rolecallBin), 'complete.cjs');
  const breaks = ' \t\n"\'><=;|&(:';
  const figures = measureCommands(
    [
      { name: 'node -e 0 (baseline)', argv: [node, '-e', '0'], env },
      { name: 'bash: `rolecall exec team-1` TAB (profiles)', argv: [node, completer, 'bash', 'rolecall exec team-1', breaks], env },
      { name: 'zsh, fish: `rolecall exec ` TAB (profiles)', argv: [node, completer, 'zsh', '--', 'exec', ''], env },
      { name: 'zsh, fish: `rolecall ` TAB (commands)', argv: [node, completer, 'fish', '--', ''], env },
      { name: 'fallback: rolecall __complete bash, profiles', argv: [node, rolecallBin, '__complete', 'bash', 'rolecall exec team-1', breaks], env },
      { name: 'rolecall completion bash (clipanion)', argv: [node, rolecallBin, 'completion', 'bash'], env },
    ],
    rounds,
  );
  console.log(`completion startup, ${rounds} rounds, round-robin; node ${process.version}`);
  console.log(ratioTable(figures, figures[0]!));
} finally {
  sandbox.cleanup();
}
