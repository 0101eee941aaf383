/**
 * The environment a command runs with, as one plain map: the command layer
 * reads process.env once and passes this down, so nothing below it depends on
 * the real process's environment (tests give their own).
 */
export type Env = Readonly<Record<string, string | undefined>>;
