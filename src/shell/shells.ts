import { ArgumentError } from '../base/errors.js';
import { bashShell } from './bash-shell.js';
import type { Shell } from './shell.js';
import { zshShell } from './zsh-shell.js';

export const SHELLS: readonly Shell[] = [bashShell, zshShell];

export function shellNamed(name: string): Shell {
  const shell = SHELLS.find((s) => s.name === name);
  if (!shell) throw new ArgumentError(`no hook for shell "${name}"; rolecall supports ${SHELLS.map((s) => s.name).join(' and ')}`);
  return shell;
}
