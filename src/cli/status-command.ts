import { Command } from 'clipanion';
import { expiresIn } from '../cache/expires-in.js';
import { displayPath } from '../config/config-paths.js';
import { terminalSafe } from '../log/terminal-text.js';
import { logicalCwd } from '../fs/logical-cwd.js';
import { findAwsprofile, profileRequest, readAwsprofile } from '../trust/awsprofile-file.js';
import { TrustStore, type TrustVerdict } from '../trust/trust-store.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';

const TRUST_TEXT: Record<TrustVerdict, string> = {
  allowed: 'allowed',
  denied: "denied: run 'rolecall allow' to trust it again",
  untrusted: "not trusted: run 'rolecall allow' to trust it",
  edited: "changed since it was allowed: run 'rolecall allow' to trust it again",
};

export class StatusCommand extends Command {
  static override paths = [['status']];

  static override usage = Command.Usage({
    description: 'show which .awsprofile applies here and which profile is active',
    details: `
      Shows the nearest \`.awsprofile\` from the current directory up, the profile it asks for, whether you trust it (\`rolecall allow\`, \`rolecall deny\`), and the profile active in this shell with the expiry of its session.
    `,
    examples: [['What applies here', 'rolecall status']],
  });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      const env = process.env;
      const out: string[] = [];
      const path = findAwsprofile(logicalCwd(env));
      if (!path) {
        out.push('file:     none (no .awsprofile here or above)');
      } else {
        const file = readAwsprofile(path);
        const request = profileRequest(file.bytes);
        out.push(`file:     ${terminalSafe(displayPath(path, env))}`);
        out.push(`asks for: ${request.kind === 'profile' ? request.name : request.kind === 'invalid' ? `nothing usable: ${request.reason}` : request.kind === 'empty' ? 'no profile' : 'unreadable'}`);
        out.push(`trust:    ${TRUST_TEXT[new TrustStore(env).verdict(path, file.bytes)]}`);
      }
      out.push(`active:   ${activeText(env.ROLECALL_PROFILE, env.AWS_CREDENTIAL_EXPIRATION)}`);
      this.context.stdout.write(`${out.join('\n')}\n`);
    });
  }
}

function activeText(profile: string | undefined, expiration: string | undefined): string {
  if (!profile) return 'none';
  if (!expiration) return `${profile} (long-term keys, no expiry)`;
  const left = Date.parse(expiration) - Date.now();
  if (Number.isNaN(left)) return `${profile} (session expires ${expiration})`;
  // The same "47m left" as `rolecall list`.
  return `${profile} (session expires ${expiration}, ${left <= 0 ? 'expired' : `${expiresIn(left)} left`})`;
}
