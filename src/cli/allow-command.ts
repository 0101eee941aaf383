import { Command, Option } from 'clipanion';
import { displayPath } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import { didYouMean } from '../config/suggest-names.js';
import { RolecallError } from '../base/errors.js';
import { profileRequest, readAwsprofile } from '../trust/awsprofile-file.js';
import { TrustStore } from '../trust/trust-store.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { targetAwsprofile } from '../trust/target-file.js';
import { terminalSafe } from '../log/terminal-text.js';

export class AllowCommand extends Command {
  static override paths = [['allow']];

  static override usage = Command.Usage({
    description: "trust a directory's .awsprofile",
    details: `
      Trusts the nearest \`.awsprofile\` at or above DIR (default: the current directory) with its current content. Open shells with the hook take it up at their next prompt, without a \`cd\`. Editing the file takes the trust away until you allow it again.
    `,
    examples: [
      ['Trust the file that applies here', 'rolecall allow'],
      ['Trust a project\'s file', 'rolecall allow ~/src/billing'],
    ],
  });

  dir = Option.String({ name: 'DIR', required: false });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      const env = process.env;
      const path = targetAwsprofile(env, this.dir);
      const file = readAwsprofile(path);
      if (!file.bytes) throw new RolecallError(`${displayPath(path, env)} cannot be read`);
      new TrustStore(env).allow(path, file.bytes);
      const request = profileRequest(file.bytes);
      const shown = terminalSafe(displayPath(path, env));
      if (request.kind === 'profile') {
        this.context.stdout.write(`rolecall: allowed ${shown} (profile ${request.name})\n`);
        const missing = missingProfileNote(env, request.name);
        if (missing) this.context.stderr.write(`rolecall: ${missing}\n`);
      }
      else if (request.kind === 'invalid') this.context.stderr.write(`rolecall: allowed ${shown}, but ${request.reason}: the hook will ignore it\n`);
      else this.context.stderr.write(`rolecall: allowed ${shown}, but it names no profile\n`);
    });
  }
}

/**
 * Trusting a file that names a profile the config does not have is allowed
 * (the config may be fixed next), but said at once: otherwise the first hint
 * is the hook failing at the next prompt. A config that cannot be read is
 * left for exec and the hook to report.
 */
function missingProfileNote(env: NodeJS.ProcessEnv, name: string): string | undefined {
  try {
    const { paths, profiles } = loadConfig(env);
    if (profiles.has(name)) return undefined;
    return `profile ${name} is not in ${displayPath(paths.config, env)} or ${displayPath(paths.credentials, env)}${didYouMean(name, [...profiles.keys()])}`;
  } catch {
    return undefined;
  }
}
