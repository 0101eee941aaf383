/**
 * An INI reader with the exact rules of Python's configparser.RawConfigParser,
 * which is what the AWS CLI (botocore) reads ~/.aws/config with. Users check
 * their files with `aws`, so a file must mean the same here as there:
 *
 * - `=` and `:` both separate a key from its value (the first one wins);
 * - keys are lower-cased, section names are not;
 * - `#` and `;` start a comment only at the start of a line, never inline;
 * - a line indented deeper than the key above it continues that key's value
 *   (that is how `s3 =` sub-settings are written), even after blank lines;
 * - a section or key seen twice in one file is an error;
 * - `[DEFAULT]` is special: its keys apply to every section;
 * - a key before any section, or a line that is neither, is an error.
 *
 * The ini package on npm accepts all of these files silently with other
 * meanings, so it cannot be used for reading. rolecall never rewrites these
 * files through a parser either: src/config/profile-section.ts appends a
 * section byte for byte, and plaintext-removal.ts deletes whole lines.
 */
import { oneLine, quote } from '../log/terminal-text.js';
import { PY_SPACE_CLASS, pySplitLines, pyStrip, pyIsSpace } from './python-strings.js';

export interface IniSection {
  /** The section name exactly as written between the brackets. */
  readonly name: string;
  /** 1-based line of the section header, for error messages. */
  readonly line: number;
  /** Keys (lower-cased) to values; DEFAULT keys already merged in. */
  readonly values: Record<string, string>;
}

export interface IniFile {
  /** Sections in the order they first appear, DEFAULT excluded. */
  readonly sections: IniSection[];
}

export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const DEFAULT_SECTION = 'DEFAULT';
// configparser's SECTCRE and OPTCRE. Python's `.` matches all but \n and its
// `\s` is str.isspace, so: the s flag (a line may hold U+2028 or U+0085, which
// JavaScript's `.` refuses) and Python's white space instead of JavaScript's.
const SECTION_HEADER = /^\[(.+)\]/s;
const OPTION_LINE = new RegExp(`^(.*?)${PY_SPACE_CLASS}*([=:])${PY_SPACE_CLASS}*(.*)$`, 's');

/** Decodes bytes as Python's open() does on a UTF-8 system: strictly. */
export function decodeConfigBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8Line(bytes);
    throw new IniSyntaxError(at, 'the file is not valid UTF-8, which the AWS CLI cannot read either; save it as UTF-8');
  }
}

function firstInvalidUtf8Line(bytes: Uint8Array): number {
  let line = 1;
  let start = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

/** Parses the text of one file; throws IniSyntaxError on what configparser rejects. */
export function parseIni(text: string): IniFile {
  if (text.startsWith('\ufeff')) {
    throw new IniSyntaxError(1, 'the file starts with a byte-order mark, which the AWS CLI cannot read either; save it as UTF-8 without BOM');
  }
  // Python reads text files with universal newlines: \r\n, \r and \n all end a line.
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  const sections = new Map<string, { line: number; values: Map<string, string[]> }>();
  const defaults = new Map<string, string[]>();
  let current: Map<string, string[]> | undefined;
  let currentName = '';
  let option: string | undefined;
  let indentLevel = 0;
  /** Where each key of each section was first set, for the duplicate-key message. */
  const seenOptions = new Map<string, number>();
  let firstError: IniSyntaxError | undefined;

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const isComment = /^[#;]/.test(pyStrip(line));
    const value = isComment ? '' : pyStrip(line);
    if (value === '') {
      // A blank line inside a multi-line value stays part of it (configparser's
      // empty_lines_in_values); a comment line does not add one.
      if (!isComment && current && option !== undefined) current.get(option)?.push('');
      return;
    }
    const indent = firstNonSpace(line);
    if (current && option !== undefined && indent > indentLevel) {
      current.get(option)?.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION_HEADER.exec(value);
    if (header) {
      const name = header[1] as string;
      if (name === DEFAULT_SECTION) {
        current = defaults;
      } else if (sections.has(name)) {
        const first = sections.get(name)?.line as number;
        throw new IniSyntaxError(lineNo, `section ${bracket(name)} appears twice in this file (lines ${first} and ${lineNo}), which the AWS CLI refuses too; merge the two`);
      } else {
        current = new Map();
        sections.set(name, { line: lineNo, values: current });
      }
      currentName = name;
      option = undefined;
      return;
    }
    if (!current) {
      // configparser says a section header is missing; an unclosed one is the likelier mistake.
      if (value.startsWith('[')) throw new IniSyntaxError(lineNo, notAnOption(value));
      throw new IniSyntaxError(lineNo, `${quote(value)} comes before any [section] header; add one, e.g. [default], above it`);
    }
    const match = OPTION_LINE.exec(value);
    if (!match || match[1] === '') {
      const reason = match ? `${quote(value)} has no key before the "${match[2]}"; remove the line or add a key` : notAnOption(value);
      firstError ??= new IniSyntaxError(lineNo, `in ${bracket(currentName)}: ${reason}`);
      if (!match) return;
    }
    const key = (match[1] as string).toLowerCase();
    const seenKey = `${currentName}\u0000${key}`;
    const firstLine = seenOptions.get(seenKey);
    if (firstLine !== undefined) {
      // Keys are compared lower-cased, so Region and region are the same key.
      throw new IniSyntaxError(lineNo, `in ${bracket(currentName)}: key ${quote(key)} is set twice (lines ${firstLine} and ${lineNo}), which the AWS CLI refuses too; keep one`);
    }
    seenOptions.set(seenKey, lineNo);
    current.set(key, [pyStrip(match[3] as string)]);
    option = key;
  });
  if (firstError) throw firstError;

  const join = (parts: string[]) => pyRstrip(parts.join('\n'));
  const defaultValues = Object.fromEntries([...defaults].map(([k, v]) => [k, join(v)]));
  return {
    sections: [...sections].map(([name, section]) => ({
      name,
      line: section.line,
      values: { ...defaultValues, ...Object.fromEntries([...section.values].map(([k, v]) => [k, join(v)])) },
    })),
  };
}

function firstNonSpace(line: string): number {
  for (let i = 0; i < line.length; i++) if (!pyIsSpace(line[i] as string)) return i;
  return 0;
}

function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && pyIsSpace(text[end - 1] as string)) end--;
  return text.slice(0, end);
}

function bracket(section: string): string {
  return `[${oneLine(section, 64)}]`;
}

function notAnOption(value: string): string {
  if (value.startsWith('[')) return `${quote(value)} opens a [section] header that never closes; end it with "]"`;
  return `${quote(value)} is neither a [section] nor a key = value line; remove it or add "key = "`;
}

/**
 * botocore's reading of a value that starts on the next line (`s3 =` followed
 * by indented `key = value` lines): one level of nesting, `=` only.
 */
export function parseNestedValue(value: string): Record<string, string> | undefined {
  if (!value.startsWith('\n')) return undefined;
  const nested: Record<string, string> = {};
  // botocore's _parse_nested splits with str.splitlines, which ends lines at more than \n.
  for (const raw of pySplitLines(value)) {
    const line = pyStrip(raw);
    if (!line) continue;
    const at = line.indexOf('=');
    if (at < 0) throw new Error(`sub-setting ${quote(line)} has no "="; write it as key = value`);
    nested[pyStrip(line.slice(0, at))] = pyStrip(line.slice(at + 1));
  }
  return nested;
}
