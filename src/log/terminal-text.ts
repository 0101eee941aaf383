/**
 * Text from outside (a config value, a file name, a directory, a reason read
 * from a lock file) as it may be printed: on one line, short, and with every
 * control or separator character escaped, so that nothing a file or a
 * directory name holds can move the cursor or rewrite the screen.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Short and on one line: a value may span lines and hold separators Python keeps. */
export function oneLine(text: string, max = 40): string {
  const short = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return short.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A profile name as one word to paste into a shell in a suggested command (`rolecall add 'a b'`), on one line. */
export function shellWord(name: string, max = 64): string {
  const word = /^[\w@%+=:,./-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
  return oneLine(word, max);
}

/** `oneLine` in double quotes, for a value named inside a sentence. */
export function quote(text: string, max = 40): string {
  return `"${oneLine(text, max)}"`;
}

/**
 * A name or path from a file or the command line, quoted as JSON (so a quote
 * or a backslash in it stays unambiguous) with control characters escaped.
 */
export function printable(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(shown).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A path as it is when it is harmless; `printable` when it holds a control character. */
export function terminalSafe(text: string): string {
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? printable(text) : text;
}
