/** rolecall's version, as `rolecall --version` prints it (entry.ts answers it before loading anything, clipanion's `--version` from main.ts). */
export const ROLECALL_VERSION = '0.1.0';
