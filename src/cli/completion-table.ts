/**
 * The words `rolecall __complete` offers, per command: the one list of them,
 * kept in step with the commands registered in main.ts by a unit test
 * (test/unit/cli-completion-table.test.ts), since the completion fast path
 * cannot load clipanion to ask it. A new command gets its line here; one
 * that takes a profile names it with 'profiles'.
 */
import type { CommandWords, CompletionTable } from '../shell/complete-words.js';

const BACKENDS = ['keychain', 'file'];
// The shells of `rolecall hook` (shell/shells.ts) and of `rolecall completion`
// (shell/completion-scripts.ts), named here rather than imported so that a
// TAB does not load the hook's and the scripts' code; the unit test holds the lists together.
const HOOK_SHELLS = ['bash', 'zsh'];
const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'];
// export's --format values (export/export-formats.ts FORMATS), held together by the same test.
const EXPORT_FORMATS = ['sh', 'env', 'fish', 'dotenv', 'json', 'ini'];

const COMMANDS: readonly CommandWords[] = [
  {
    names: ['exec'],
    flags: { '--duration': [], '-d': [], '--region': [], '--no-session': null, '--mfa-token': [], '-t': [], '--backend': BACKENDS, '--force': null, '--server': null, '--debug': null },
    operands: ['profiles'],
    childCommandAfter: true,
  },
  { names: ['credential-process'], flags: { '--duration': [], '-d': [], '--region': [], '--no-session': null, '--backend': BACKENDS, '--debug': null }, operands: ['profiles'] },
  {
    names: ['export'],
    flags: { '--format': EXPORT_FORMATS, '-f': EXPORT_FORMATS, '--section': [], '--duration': [], '-d': [], '--region': [], '--no-session': null, '--mfa-token': [], '-t': [], '--backend': BACKENDS, '--debug': null },
    operands: ['profiles'],
  },
  { names: ['login'], flags: { '--stdout': null, '--path': [], '--duration': [], '-d': [], '--backend': BACKENDS, '--debug': null }, operands: ['profiles'] },
  { names: ['rotate'], flags: { '--mfa-token': [], '-t': [], '--backend': BACKENDS, '--debug': null }, operands: ['profiles'] },
  { names: ['add'], flags: { '--env': null, '--verify': null, '--force': null, '--backend': BACKENDS }, operands: ['profiles'] },
  { names: ['remove'], flags: { '--force': null, '--backend': BACKENDS }, operands: ['profiles'] },
  { names: ['list', 'ls'], flags: { '--json': null, '--backend': BACKENDS }, operands: [] },
  { names: ['import'], flags: { '--remove-plaintext': null, '--force': null, '--backend': BACKENDS }, operands: [], rest: 'profiles' },
  { names: ['clear'], flags: { '--backend': BACKENDS }, operands: ['profiles'] },
  { names: ['hook'], flags: {}, operands: [HOOK_SHELLS] },
  { names: ['allow'], flags: {}, operands: [[]] },
  { names: ['deny'], flags: {}, operands: [[]] },
  { names: ['status'], flags: {}, operands: [] },
  { names: ['completion'], flags: {}, operands: [COMPLETION_SHELLS] },
  { names: ['agent'], flags: { '--foreground': null, '--status': null }, operands: [] },
  { names: ['lock'], flags: {}, operands: [] },
  {
    names: ['sso login'],
    flags: { '--sso-session': [], '--use-device-code': null, '--no-browser': null, '--share-with-aws-cli': null, '--backend': BACKENDS, '--debug': null },
    operands: ['profiles'],
  },
  { names: ['sso logout'], flags: { '--sso-session': [], '--backend': BACKENDS, '--debug': null }, operands: ['profiles'] },
  { names: ['sso profiles'], flags: { '--sso-session': [], '--backend': BACKENDS, '--debug': null }, operands: ['profiles'] },
];

export const COMPLETION_TABLE: CompletionTable = {
  commands: [...COMMANDS, { names: ['help'], flags: {}, operands: [[...new Set(COMMANDS.map((c) => (c.names[0] as string).split(' ')[0] as string))]] }],
  globalFlags: ['--help', '-h', '--version', '-v'],
};

export { COMPLETION_SHELLS, EXPORT_FORMATS, HOOK_SHELLS };
