import { Command, Option } from 'clipanion';
import { EXIT_OK } from '../base/exit-status.js';
import { shellNamed } from '../shell/shells.js';

export class HookCommand extends Command {
  static override paths = [['hook']];

  static override usage = Command.Usage({
    description: 'print the shell hook that switches profiles per directory',
    details: `
      Prints the code to put in your shell's startup file. At each prompt the hook looks for the nearest \`.awsprofile\` from the current directory up to \`/\`; its first line that is neither blank nor a \`#\` comment names a profile. A file takes effect only once you trust it with \`rolecall allow\`; then the shell gets what \`rolecall exec\` gives a child (keys, session token, expiry, region, \`ROLECALL_PROFILE\`), and \`AWS_PROFILE\` and \`AWS_DEFAULT_PROFILE\` are unset while it is active. Leaving the directory puts back exactly what you had.

      The hook costs almost nothing per prompt: while the directory, the file and the trust store stay the same it starts no process (shell builtins only). When it cannot get a session (STS or the network down, the keyring locked) it says so in one line and tries again at a later prompt: 30 s after the failure, then twice as long each time it fails again, at most every 10 minutes (\`ROLECALL_HOOK_RETRY_SECONDS\` sets the first wait; 0 leaves it to a cd). \`cd .\` tries at once; after a Ctrl-C at the MFA prompt only a cd asks again. The same code ships as \`shell/rolecall.bash\` and \`shell/rolecall.zsh\` for those who prefer to source a file.

      SHELL is \`bash\` or \`zsh\`.
    `,
    examples: [
      ['In ~/.bashrc', 'eval "$(rolecall hook bash)"'],
      ['In ~/.zshrc', 'eval "$(rolecall hook zsh)"'],
    ],
  });

  shell = Option.String({ name: 'SHELL' });

  override async execute(): Promise<number> {
    this.context.stdout.write(shellNamed(this.shell).hook());
    return EXIT_OK;
  }
}
