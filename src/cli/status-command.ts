import { Command } from 'clipanion';
import { displayPath } from '../config/config-paths.js';
import { terminalSafe } from '../shell/hook-env.js';
import { logicalCwd } from '../shell/logical-cwd.js';
import { findAwsprofile, profileRequest, readAwsprofile } from '../trust/awsprofile-file.js';
import { TrustStore, type TrustVerdict } from '../trust/trust-store.js';
import { guarded } from './report-error.js';

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
    return guarded(1, async () => {
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
  const seconds = Math.round((Date.parse(expiration) - Date.now()) / 1000);
  if (Number.isNaN(seconds)) return `${profile} (session expires ${expiration})`;
  const when = seconds <= 0 ? 'expired' : seconds < 3600 ? `in ${Math.ceil(seconds / 60)} min` : `in ${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${profile} (session expires ${expiration}, ${when})`;
}
