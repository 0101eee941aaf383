/**
 * Python's idea of white space (str.isspace / str.strip), which differs from
 * JavaScript's trim(): Python keeps U+FEFF and strips U+001C..U+001F and U+0085.
 * configparser strips with these rules, so we do too.
 */
export const PY_SPACE_CLASS = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PYTHON_SPACE = new RegExp(PY_SPACE_CLASS);

export function pyIsSpace(char: string): boolean {
  return PYTHON_SPACE.test(char);
}

/** str.splitlines(): lines end at \r\n and at each of Python's line boundaries, \v, \f and U+2028 among them. */
export function pySplitLines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && pyIsSpace(text[start] as string)) start++;
  while (end > start && pyIsSpace(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

/**
 * shlex.split in POSIX mode, as botocore splits `[profile "my name"]`.
 * Returns undefined where Python raises ValueError (an unclosed quote or a
 * trailing backslash): botocore then skips the section.
 * Only shlex's own white space separates words: `[profile\u00a0x]` is one word.
 */
const SHLEX_SPACE = ' \t\r\n';

export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
      word += text[++i];
      inWord = true;
    } else if (SHLEX_SPACE.includes(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}
