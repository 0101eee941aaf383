/**
 * A value in single quotes inside which only `\` and `'` are escaped with a
 * backslash: how fish reads a single-quoted word (nothing in it expands), and
 * how python-dotenv reads a single-quoted value. Not for bash or zsh, whose
 * single quotes take no escapes (shell/ansi-c-quote.ts quotes for them).
 */
export function backslashSingleQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}
