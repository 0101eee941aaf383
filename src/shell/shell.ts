/**
 * What differs between shells, in one place per shell (direnv's `Shell`
 * interface has the same shape): the hook text users eval or source, and how
 * to write an export, an unset or a hook-state assignment so that the shell
 * reads the value as data, never as code.
 */
export interface Shell {
  readonly name: string;
  /** The text `rolecall hook NAME` prints and shell/rolecall.NAME holds. */
  hook(): string;
  /** Sets and exports an environment variable. */
  export(name: string, value: string | Buffer): string;
  unset(name: string): string;
  /** Sets one of the hook's own (not exported) state variables. */
  assign(name: string, value: string | Buffer): string;
  /**
   * The file's bytes as the hook's builtin read leaves them in a variable,
   * so the program hands back exactly what the hook will compare.
   */
  textView(bytes: Buffer): Buffer;
}
