/**
 * `rolecall completion bash|zsh|fish`, loaded in the real shells. Each shell
 * runs on a pseudo-terminal where TAB is typed, as a person would: a unique
 * prefix completes to a command or a profile of the sandbox's
 * ~/.aws/config, and Enter runs the completed line. `rolecall` in those
 * shells is a function that prints its arguments (the completion scripts
 * call the real program with `command rolecall`), so the test sees the word
 * the shell parsed from what completion inserted: a profile named
 * `x;touch $HOME/pwned` comes back as that one name, and no file appears.
 * bash (its completion function called with COMP_LINE set) and fish
 * (`complete -C`) also list every candidate programmatically, with
 * AWS_CONFIG_FILE pointing elsewhere. zsh has no such entry point outside
 * its line editor (zpty would be a terminal again), so it is tested on the
 * terminal only.
 *
 * Everything runs from a copy of dist/ in a directory with no node_modules,
 * so nothing of the AWS SDK or keytar can load: the scripts it prints run
 * its dist/complete.cjs, which is also shown to work alone in a directory
 * (so it loads no other file: not clipanion's dist/main.js either), and
 * `rolecall __complete` from the PATH where that file has gone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { makeSandbox, rolecallBin, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { openTerminal } from '../helpers/terminal-session.js';

const NASTY = 'x;touch $HOME/pwned';
const CONFIG = `[default]\nregion = eu-west-1\n\n[profile dev]\n\n[profile prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = dev\n\n[profile "${NASTY}"]\n\n[profile "with space"]\n\n[profile org:dev]\n`;
const PROFILES = ['default', 'dev', 'prod-admin', NASTY, 'with space', 'org:dev'];

let box: Sandbox;
let lone: string;
let env: Record<string, string>;

/** dist/ copied to a directory of its own, `rolecall` on the PATH there; `files` says which of dist/'s files. */
function copyOfDist(files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lone-'));
  mkdirSync(join(dir, 'bin'));
  for (const file of files) copyFileSync(join(dirname(rolecallBin), file), join(dir, file));
  // main.js is an ES module as the package's own package.json says; this one says it here.
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(dir, 'rolecall.cjs'), join(dir, 'bin', 'rolecall'));
  return dir;
}

const onPath = (dir: string) => `${join(dir, 'bin')}:${dirname(process.execPath)}:${box.env.PATH ?? '/usr/bin:/bin'}`;

before(() => {
  box = makeSandbox();
  box.write('.aws/config', CONFIG);
  box.write('.aws/credentials', '[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
  lone = copyOfDist(['rolecall.cjs', 'commands.cjs', 'main.js', 'complete.cjs']);
  env = { ...box.env, PATH: onPath(lone), TERM: 'dumb' };
});

after(() => {
  box.cleanup();
  rmSync(lone, { recursive: true, force: true });
});

function script(shell: string, extraEnv: Record<string, string> = {}): string {
  const printed = spawnSync('rolecall', ['completion', shell], { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  assert.equal(printed.status, 0, printed.stderr);
  return box.write(`completion.${shell}`, printed.stdout);
}

test('the completer the scripts run works alone in a directory, from a copy that cannot load the SDK or keytar', () => {
  const completer = join(lone, 'complete.cjs');
  for (const shell of ['bash', 'zsh', 'fish']) assert.ok(readFileSync(script(shell), 'utf8').includes(completer), `${shell} runs ${completer}`);
  const alone = mkdtempSync(join(tmpdir(), 'rolecall-alone-'));
  try {
    copyFileSync(completer, join(alone, 'complete.cjs'));
    const completed = spawnSync(process.execPath, [join(alone, 'complete.cjs'), 'fish', '--', 'exec', 'pro'], { env, encoding: 'utf8' });
    assert.equal(completed.status, 0, completed.stderr);
    assert.equal(completed.stdout, 'prod-admin\n');
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
  // The controls: the same copy, asked for what needs the SDK or keytar, cannot load them.
  const sts = spawnSync('rolecall', ['exec', 'prod-admin', '--', 'true'], { env: { ...env, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' }, encoding: 'utf8' });
  assert.match(sts.stderr, /Cannot find (package|module) '@aws-sdk\/client-sts'/);
  const keychain = spawnSync('rolecall', ['exec', '--no-session', 'dev', '--', 'true'], { env: { ...env, ROLECALL_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }, encoding: 'utf8' });
  assert.match(keychain.stderr, /keytar is not installed/);
});

test('where complete.cjs has gone, the script runs rolecall __complete, which does not load clipanion either', (t) => {
  if (!requireCommands(t, 'bash')) return;
  const moved = copyOfDist(['rolecall.cjs', 'commands.cjs', 'main.js', 'complete.cjs']);
  try {
    const file = script('bash', { PATH: onPath(moved) });
    rmSync(join(moved, 'complete.cjs'));
    rmSync(join(moved, 'main.js'));
    const run = spawnSync('bash', ['--noprofile', '--norc', '-c', `source "$1"; COMP_LINE='rolecall exec pro'; COMP_POINT=17; _rolecall_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', file], { env: { ...env, PATH: onPath(moved) }, cwd: box.home, encoding: 'utf8' });
    assert.equal(run.stdout, 'prod-admin\n', run.stderr);
    const version = spawnSync('rolecall', ['--help'], { env: { ...env, PATH: onPath(moved) }, encoding: 'utf8' });
    assert.match(version.stderr, /main\.js/, 'the control: without main.js, what needs clipanion fails');
  } finally {
    rmSync(moved, { recursive: true, force: true });
  }
});

test('rolecall completion with another shell: one line, status 2', async () => {
  const result = await runRolecall(box, ['completion', 'tcsh']);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, 'rolecall: no completion for shell "tcsh"; rolecall completes in bash, zsh, fish\n');
  const help = await runRolecall(box, ['completion', '--help']);
  assert.match(help.stdout, /eval "\$\(rolecall completion bash\)"/);
  assert.match(help.stdout, /rolecall completion fish > ~\/\.config\/fish\/completions\/rolecall\.fish/);
});

interface ShellOnTerminal {
  readonly name: string;
  start(scriptFile: string): { argv: string[]; env: Record<string, string> };
}

const SHELLS: ShellOnTerminal[] = [
  {
    name: 'bash',
    start(scriptFile) {
      const rc = box.write('bashrc', `PS1='READY> '\nsource ${scriptFile}\nrolecall() { printf 'args:'; printf '[%s]' "$@"; echo; }\n`);
      return { argv: ['bash', '--noprofile', '--rcfile', rc, '-i'], env };
    },
  },
  {
    name: 'zsh',
    start(scriptFile) {
      box.write('zdot/.zshrc', `PROMPT='READY> '\nautoload -Uz compinit && compinit -u -d $HOME/.zcompdump\neval "$(<${scriptFile})"\nrolecall() { printf 'args:'; printf '[%s]' "$@"; echo; }\n`);
      return { argv: ['zsh', '-i'], env: { ...env, ZDOTDIR: join(box.home, 'zdot') } };
    },
  },
  {
    name: 'fish',
    start(scriptFile) {
      // Installed where the --help says, and autoloaded by fish from there.
      box.write('.config/fish/completions/rolecall.fish', readFileSync(scriptFile, 'utf8'));
      box.write('.config/fish/config.fish', `set -g fish_greeting ''\nfunction fish_prompt; echo -n 'READY> '; end\nfunction rolecall; printf 'args:'; printf '[%s]' $argv; echo; end\n`);
      return { argv: ['fish', '-i'], env };
    },
  },
];

for (const shell of SHELLS) {
  test(`${shell.name}: TAB completes a command and a profile, and a name with shell characters is inserted as data`, async (t) => {
    if (!requireCommands(t, shell.name, 'script')) return;
    const { argv, env: shellEnv } = shell.start(script(shell.name));
    const terminal = openTerminal(argv, shellEnv, box.home);
    try {
      await terminal.waitFor(/READY> /, 1);
      terminal.type('rolecall comple\t');
      await terminal.waitFor(/completion/, 1);
      terminal.type('fi\t');
      await terminal.waitFor(/fish/, 1);
      terminal.type('\r');
      await terminal.waitFor(/args:\[completion\]\[fish\]/, 1);

      terminal.type('rolecall exec pro\t');
      await terminal.waitFor(/prod-admin/, 1);
      terminal.type('\r');
      await terminal.waitFor(/args:\[exec\]\[prod-admin\]/, 1);

      terminal.type('rolecall exec --backend k\t');
      await terminal.waitFor(/keychain/, 1);
      terminal.type('x\t');
      await terminal.waitFor(/pwned/, 1);
      terminal.type('\r');
      await terminal.waitFor(/args:\[exec\]\[--backend\]\[keychain\]\[x;touch \$HOME\/pwned\]/, 1);

      terminal.type('rolecall add wi\t');
      await terminal.waitFor(/space/, 1);
      terminal.type('\r');
      await terminal.waitFor(/args:\[add\]\[with space\]/, 1);
    } finally {
      terminal.close();
    }
    assert.equal(existsSync(join(box.home, 'pwned')), false, 'nothing in the name ran');
  });
}

test('bash: the completion function offers every profile, from AWS_CONFIG_FILE when it is set, each read back by bash as the name', async (t) => {
  if (!requireCommands(t, 'bash')) return;
  const file = script('bash');
  const other = box.write('elsewhere/config', '[profile elsewhere]\n[profile "b;touch $HOME/pwned2"]\n');
  const complete = (line: string, extra: Record<string, string> = {}) => {
    const run = spawnSync('bash', ['--noprofile', '--norc', '-c', `source "$1"; complete -p rolecall; COMP_LINE=$2; COMP_POINT=\${#2}; _rolecall_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', file, line], { env: { ...env, ...extra }, cwd: box.home, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [registered, ...replies] = run.stdout.trimEnd().split('\n');
    assert.equal(registered, 'complete -o default -F _rolecall_complete rolecall');
    return replies;
  };
  const replies = complete('rolecall exec ');
  assert.equal(replies.length, PROFILES.length);
  // What bash makes of each reply once it is on the command line.
  const parsed = spawnSync('bash', ['--noprofile', '--norc', '-c', `printf '%s\\n' ${replies.join(' ')}`], { env, cwd: box.home, encoding: 'utf8' });
  assert.deepEqual(parsed.stdout.trimEnd().split('\n'), PROFILES);
  assert.equal(existsSync(join(box.home, 'pwned')), false, 'nothing in the names ran');
  // bash splits org:dev at the colon (COMP_WORDBREAKS): the reply is the part after it.
  assert.deepEqual(complete('rolecall exec org:'), ['dev']);
  assert.deepEqual(complete('rolecall exec or'), ['org:dev']);
  assert.deepEqual(complete('rolecall e'), ['exec', 'export']);
  assert.deepEqual(complete('rolecall exec --backend=f'), ['file']);
  assert.deepEqual(complete('rolecall remove ', { AWS_CONFIG_FILE: other }), ['elsewhere', 'b\\;touch\\ \\$HOME/pwned2', 'dev'], 'the credentials file still counts');
  assert.equal(existsSync(join(box.home, 'pwned2')), false);
});

test('fish: complete -C lists the profiles of AWS_CONFIG_FILE, and the commands', (t) => {
  if (!requireCommands(t, 'fish')) return;
  const other = box.write('elsewhere-fish/config', '[profile elsewhere]\n[profile "c;touch $HOME/pwned3"]\n');
  const complete = (line: string, extra: Record<string, string> = {}) => {
    const run = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', box.home + '/.config/fish/completions/rolecall.fish', line], { env: { ...env, ...extra }, cwd: box.home, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trimEnd().split('\n').sort();
  };
  box.write('.config/fish/completions/rolecall.fish', readFileSync(script('fish'), 'utf8'));
  assert.deepEqual(complete('rolecall exec ', { AWS_CONFIG_FILE: other }), ['c;touch $HOME/pwned3', 'dev', 'elsewhere']);
  assert.deepEqual(complete('rolecall exec '), [...PROFILES].sort());
  assert.deepEqual(complete('rolecall li'), ['list']);
  assert.deepEqual(complete('rolecall hook '), ['bash', 'zsh']);
  assert.equal(existsSync(join(box.home, 'pwned3')), false);
});
