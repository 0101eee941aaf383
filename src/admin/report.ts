/**
 * Where a vault command's core prints what it did, line by line as it
 * happens (so a failure halfway still leaves the lines for what was done);
 * the command gives its stdout. Notes for the user (a profile skipped, a
 * warning) go to stderr through log/debug-log.
 */
export type Print = (line: string) => void;
