import { fileURLToPath } from 'node:url';
import { Command, Option } from 'clipanion';
import { EXIT_OK, EXIT_USAGE } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { completionScript } from '../shell/completion-scripts.js';

export class CompletionCommand extends Command {
  static override paths = [['completion']];

  static override usage = Command.Usage({
    description: 'print the shell completion script (bash, zsh or fish)',
    details: `
      Prints the code that makes TAB complete rolecall's commands, their flags, \`--backend\` values, shell names, and the profile names of \`~/.aws/config\` and \`~/.aws/credentials\` (\`AWS_CONFIG_FILE\`, \`AWS_SHARED_CREDENTIALS_FILE\`) wherever a command takes a profile.

      At each TAB the script runs rolecall's small completer (\`dist/complete.cjs\` with the node that printed the script, else \`rolecall __complete\`), which reads only the config files: neither the AWS SDK nor the keychain is loaded, and no network is used; a TAB costs about as much as starting node. Profile names are offered as data: a name with spaces or shell characters is inserted quoted and never run.

      SHELL is \`bash\`, \`zsh\` or \`fish\`. For zsh, load compinit first (\`autoload -Uz compinit && compinit\`).
    `,
    examples: [
      ['In ~/.bashrc', 'eval "$(rolecall completion bash)"'],
      ['In ~/.zshrc, after compinit', 'eval "$(rolecall completion zsh)"'],
      ['For fish, once', 'rolecall completion fish > ~/.config/fish/completions/rolecall.fish'],
    ],
  });

  shell = Option.String({ name: 'SHELL' });

  override async execute(): Promise<number> {
    return guarded(EXIT_USAGE, async () => {
      // This file is dist/main.js once bundled; dist/complete.cjs is beside it.
      const file = fileURLToPath(new URL('complete.cjs', import.meta.url));
      this.context.stdout.write(completionScript(this.shell, { node: process.execPath, file }));
      return EXIT_OK;
    });
  }
}
