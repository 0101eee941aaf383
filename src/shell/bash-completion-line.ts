/**
 * bash hands a completion function the line as typed (COMP_LINE up to
 * COMP_POINT) and splits its words at COMP_WORDBREAKS (`:` and `=` among
 * them), so a profile named `org:dev` arrives as three words and one named
 * `a b` arrives with its quoting. This reads the line as bash's parser would
 * (quotes, backslashes) into the words' values, and turns each candidate into
 * the text bash puts in place of its own current word: quoted with
 * backslashes, so whatever a profile's name holds (`;`, `$(…)`, spaces) is
 * inserted as one word of data and nothing in it runs.
 */

export interface BashLine {
  /** The values of the words before the one under the cursor (the command's name first). */
  readonly words: readonly string[];
  /** The value of the word under the cursor, as typed so far. */
  readonly current: string;
  /** How much of `current` lies before the text bash replaces (up to a word break, or an open quote). */
  readonly replacedFrom: number;
  /** The quote left open in the current word, if any. */
  readonly openQuote?: "'" | '"';
}

const SPACE = /[ \t\n]/;

export function readBashLine(line: string, wordBreaks: string): BashLine {
  // Quotes open a quoted part and blanks end a word anyway; the other breaks split words for bash.
  const breaks = new Set([...wordBreaks].filter((c) => !SPACE.test(c) && c !== '"' && c !== "'"));
  const words: string[] = [];
  let value = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  let breakAt = 0;
  let quoteAt = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else value += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1] as string)) value += line[++i];
      else value += c;
    } else if (c === '\\') {
      inWord = true;
      if (i + 1 < line.length) value += line[++i];
    } else if (c === "'" || c === '"') {
      inWord = true;
      quote = c;
      quoteAt = value.length;
    } else if (SPACE.test(c)) {
      if (inWord) words.push(value);
      value = '';
      inWord = false;
      breakAt = 0;
    } else {
      inWord = true;
      value += c;
      if (breaks.has(c)) breakAt = value.length;
    }
  }
  // bash replaces from its word's start: after the quote left open, else after the last break outside quotes.
  return { words, current: value, replacedFrom: quote ? quoteAt : breakAt, ...(quote ? { openQuote: quote } : {}) };
}

/** The text bash is to insert in place of its current word, for each candidate (which starts with `line.current`). */
export function bashReplies(line: BashLine, candidates: readonly string[]): string[] {
  return candidates.map((candidate) => {
    const rest = candidate.slice(line.replacedFrom);
    if (line.openQuote === "'") return rest.includes("'") ? rest.replace(/'/g, "'\\''") : rest;
    // In double quotes a backslash keeps $ ` " \ literal, but before ! it stays in the word and an
    // interactive bash still expands history there: the ! goes outside the quotes, escaped.
    if (line.openQuote === '"') return rest.replace(/[$`"\\]/g, '\\$&').replace(/!/g, '"\\!"');
    return backslashQuoted(rest);
  });
}

/** Every character bash's parser could read as syntax (or expand) gets a backslash; a newline cannot be quoted so, and is never in a name. */
function backslashQuoted(text: string): string {
  return text.replace(/[^A-Za-z0-9_.,:=@%+\/-]/g, (c) => (c === '\n' ? "$'\\n'" : `\\${c}`));
}
