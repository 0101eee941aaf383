/**
 * What a vault command's core gives its command to print: the lines for
 * stdout, in order, and the exit status. Notes for the user (a profile
 * skipped, a warning) go to stderr as they happen, through log/debug-log.
 */
export interface Report {
  readonly out: readonly string[];
  readonly status: number;
}
