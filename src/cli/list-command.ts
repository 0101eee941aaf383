import { Command, Option } from 'clipanion';
import { listProfiles, type ProfileLine, type SessionLine } from '../admin/profile-inventory.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { expiresIn } from '../cache/expires-in.js';
import { guarded } from '../log/report-error.js';
import { backendOption } from './backend-option.js';

export class ListCommand extends Command {
  static override paths = [['list'], ['ls']];

  static override usage = Command.Usage({
    description: 'list the profiles, where their keys live, and their cached sessions',
    details: `
      One line per profile of \`~/.aws/config\` and \`~/.aws/credentials\`: what it is (keys, a role over another profile, a role via credential_source, a credential process, or settings only: no credentials anywhere, e.g. a \`[default]\` with only \`region\`), where the keys at the bottom of its chain live (keychain, file vault, credentials file, config file, none) and which of its sessions are cached: the STS region and the duration each was asked with (so \`exec --region\` and \`--duration\` variants tell apart), and how long each has left. Secrets are never shown.

      \`--json\` prints the same as a JSON array, with \`region\`, \`durationSeconds\` and the expiry time in ISO 8601.
    `,
    examples: [
      ['List the profiles', 'rolecall list'],
      ['For a script', 'rolecall list --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'print JSON' });
  backend = backendOption();

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      const lines = await listProfiles({ ...process.env }, this.backend ? { backend: this.backend } : {});
      this.context.stdout.write(this.json ? `${JSON.stringify(lines.map(asJson), null, 2)}\n` : table(lines));
    });
  }
}

function asJson(line: ProfileLine): object {
  return {
    ...line,
    keys: line.keys ?? null,
    sessions: line.sessions.map((s) => ({
      label: s.label,
      region: s.region ?? null,
      durationSeconds: s.durationSeconds ?? null,
      expiration: s.expiration?.toISOString() ?? null,
      ...(s.unreadable ? { unreadable: true } : {}),
    })),
  };
}

/** "AssumeRole arn:… in eu-west-1, 12h session, 11h 58m left": what tells two sessions of one profile apart. */
function sessionCell(session: SessionLine, now: number): string {
  const region = session.region ? ` in ${session.region}` : '';
  // The duration asked for and the time left are two separate clauses, so
  // "1h" and "59m" never read as one "1h 59m".
  const duration = session.durationSeconds ? `, ${expiresIn(session.durationSeconds * 1000)} session` : '';
  return `${session.label}${region}${duration}, ${expiresIn((session.expiration?.getTime() ?? now) - now)} left`;
}

function table(lines: readonly ProfileLine[]): string {
  if (lines.length === 0) return 'no profiles in the config or credentials file; `rolecall add PROFILE` stores keys and creates one\n';
  const now = Date.now();
  const rows = lines.map((line) => [
    line.profile,
    line.kind,
    line.keys === undefined ? '-' : line.keysOf ? `${line.keys} (of ${line.keysOf})` : line.keys,
    line.sessions.length === 0
      ? '-'
      : line.sessions.map((s) => (s.unreadable ? 'unreadable (replaced on next use)' : sessionCell(s, now))).join('; '),
  ]);
  const all = [['PROFILE', 'KIND', 'KEYS', 'CACHED SESSIONS'], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((row) => (row[i] as string).length)));
  return all.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell)).join('  ').trimEnd()).join('\n') + '\n';
}
