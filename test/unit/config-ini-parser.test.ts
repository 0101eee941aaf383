/**
 * The INI reader against what botocore (1.43, Python 3.11 configparser) does
 * with the same text. Every expectation below was first observed with
 * botocore.configloader.raw_config_parse on a file holding that text; the
 * comments say so where the result surprises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeConfigBytes, IniSyntaxError, parseIni, parseNestedValue } from '../../src/config/ini-parser.js';
import { readIniFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/base/errors.js';

/** Sections as botocore's raw_config_parse shows them: name -> values. */
function sections(text: string): Record<string, Record<string, string>> {
  return Object.fromEntries(parseIni(text).sections.map((s) => [s.name, s.values]));
}

function syntaxError(text: string): IniSyntaxError {
  try {
    parseIni(text);
  } catch (error) {
    assert.ok(error instanceof IniSyntaxError, `expected IniSyntaxError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /[\n\r\u2028\u2029\u0085]/, 'one line');
    return error;
  }
  assert.fail(`parsed without error: ${JSON.stringify(text)}`);
}

test('keys are lower-cased, section names and values keep their case', () => {
  assert.deepEqual(sections('[profile Prod]\nRole_ARN = Arn:X\nREGION = EU-West-1\n'), {
    'profile Prod': { role_arn: 'Arn:X', region: 'EU-West-1' },
  });
});

test('":" separates a key from its value like "=", and the first separator wins', () => {
  // botocore: {'a': 'b:c', 'd': 'e = f'}
  assert.deepEqual(sections('[p]\na = b:c\nd:e = f\nregion: eu-west-1\n'), {
    p: { a: 'b:c', d: 'e = f', region: 'eu-west-1' },
  });
});

test('white space around the key, the separator and the value is dropped; inside the key it stays', () => {
  // botocore: {'role_arn': 'v'} and {'role arn': 'x'}
  assert.deepEqual(sections('[p]\n  Role_ARN   :  v  \n'), { p: { role_arn: 'v' } });
  assert.deepEqual(sections('[p]\nrole arn = x\n'), { p: { 'role arn': 'x' } });
});

test('# and ; start a comment only as the first thing on a line; inline they stay in the value', () => {
  // botocore keeps "v # not a comment" and "1;2": RawConfigParser has no inline comment prefixes.
  assert.deepEqual(sections('# top\n; top\n[p]\nkey = v # not a comment\n; c\n  # indented comment\nx=1;2\ny = a ;b\n'), {
    p: { key: 'v # not a comment', x: '1;2', y: 'a ;b' },
  });
});

test('an indented line after a key continues its value, even after blank lines; comment lines are skipped', () => {
  // botocore: {'x': '1\na\n\nb', 'y': '2\nz'}: the blank line stays, the two comment lines add nothing.
  assert.deepEqual(sections('[p]\nx = 1\n  a\n# c\n  ; d\n\n  b\ny=2\n\tz\n'), { p: { x: '1\na\n\nb', y: '2\nz' } });
  // Trailing blank lines are dropped (rstrip at the end).
  assert.deepEqual(sections('[p]\nx = 1\n\n\n  after blanks\nu =\n\n'), { p: { x: '1\n\n\nafter blanks', u: '' } });
});

test('continuation is measured against the indentation of the key line, not column 0', () => {
  // botocore: {'x': '1\ny', 'z': '2', 'w': '3'}
  assert.deepEqual(sections('[p]\n  x = 1\n    y\n  z = 2\nw = 3\n'), { p: { x: '1\ny', z: '2', w: '3' } });
});

test('an indented [section] line after a key is part of that value, not a new section', () => {
  // botocore: {'profile c]': {'k': 'v\n[profile d]'}}; the header regex is greedy up to the last "]".
  assert.deepEqual(sections('[profile c]]\nk=v\n  [profile d]\n'), { 'profile c]': { k: 'v\n[profile d]' } });
});

test('text after the closing bracket of a header is ignored', () => {
  // botocore: {'profile b': {'k': 'v'}}
  assert.deepEqual(sections('[profile b] ; trailing\nk=v\n'), { 'profile b': { k: 'v' } });
});

test('indented sub-settings (s3 =) become a value starting with a newline, which parseNestedValue reads', () => {
  const parsed = sections('[p]\ns3 =\n  max_concurrent_requests = 10\n\n  addressing_style = path\nregion = eu\n  continued\n');
  assert.deepEqual(parsed, { p: { s3: '\nmax_concurrent_requests = 10\n\naddressing_style = path', region: 'eu\ncontinued' } });
  // botocore's raw_config_parse: {'s3': {'max_concurrent_requests': '10', 'addressing_style': 'path'}, 'region': 'eu\ncontinued'}
  assert.deepEqual(parseNestedValue(parsed.p?.s3 as string), { max_concurrent_requests: '10', addressing_style: 'path' });
  assert.equal(parseNestedValue(parsed.p?.region as string), undefined, 'a value on the key line is not nested');
  // botocore splits nested lines on the first "=" only and keeps the key's case: {'a': 'b = c', 'B : x': 'y'}
  assert.deepEqual(parseNestedValue('\na = b = c\nB : x = y'), { a: 'b = c', 'B : x': 'y' });
  assert.throws(() => parseNestedValue('\nnonsense'), /has no "="/);
  // _parse_nested splits with str.splitlines: \f and U+2028 end a line there too, so "a\f= b" is two lines, the first with no "=".
  assert.throws(() => parseNestedValue('\na\f= b'), /sub-setting "a" has no "="/);
  assert.deepEqual(parseNestedValue('\na = 1\u2028b = 2'), { a: '1', b: '2' });
});

test('[DEFAULT] keys apply to every section of the same file, and [DEFAULT] may appear twice', () => {
  // botocore: {'profile a': {'x': '1', 'region': 'dr', 'aws_access_key_id': 'DK', 'other': '1'},
  //            'profile b': {'region': 'br', 'aws_access_key_id': 'DK', 'other': '1'}}
  // (cp.sections() leaves DEFAULT out; cp.get() falls back to it.)
  assert.deepEqual(sections('[DEFAULT]\nregion = dr\naws_access_key_id = DK\n[profile a]\nx=1\n[profile b]\nregion = br\n[DEFAULT]\nother=1\n'), {
    'profile a': { x: '1', region: 'dr', aws_access_key_id: 'DK', other: '1' },
    'profile b': { region: 'br', aws_access_key_id: 'DK', other: '1' },
  });
  // Only the exact name DEFAULT is special.
  assert.deepEqual(sections('[default]\nregion = x\n[profile a]\n'), { default: { region: 'x' }, 'profile a': {} });
});

test('CRLF and lone CR end lines as LF does (Python universal newlines)', () => {
  // botocore: {'profile a': {'x': '1\ny', 'z': '2'}} for all three.
  for (const eol of ['\n', '\r\n', '\r']) {
    assert.deepEqual(sections(['[profile a]', 'x = 1', '  y', 'z=2', ''].join(eol)), { 'profile a': { x: '1\ny', z: '2' } }, JSON.stringify(eol));
  }
});

test('U+2028 and other separators JavaScript treats as line ends stay inside a line, as in Python', () => {
  // botocore: {'profile a': {'x': 'a\u2028b'}, 'profile b': {'y': '1'}}
  assert.deepEqual(sections('[profile a]\nx = a\u2028b\n[profile b]\u2028\ny=1\n'), { 'profile a': { x: 'a\u2028b' }, 'profile b': { y: '1' } });
  // Python's white space (U+001C, U+0085) is stripped; U+FEFF is not white space there.
  assert.deepEqual(sections('[p]\nk\u001c= w\u0085\nkey\ufeff= v\n'), { p: { k: 'w', 'key\ufeff': 'v' } });
});

test('a section seen twice in one file is an error naming both lines', () => {
  // botocore: ConfigParseError (configparser DuplicateSectionError)
  const error = syntaxError('[profile a]\nx=1\n[profile a]\ny=2\n');
  assert.equal(error.line, 3);
  assert.match(error.reason, /section \[profile a\] appears twice in this file \(lines 1 and 3\).*merge/);
});

test('a key seen twice in one section is an error, whatever its case', () => {
  // botocore: ConfigParseError (DuplicateOptionError): x and X are one key after lower-casing.
  const error = syntaxError('[profile a]\nx=1\nX=2\n');
  assert.equal(error.line, 3);
  assert.match(error.reason, /in \[profile a\]: key "x" is set twice \(lines 2 and 3\)/);
  // The same key in two sections is fine.
  assert.deepEqual(sections('[profile a]\nx=1\n[profile b]\nx:2\n'), { 'profile a': { x: '1' }, 'profile b': { x: '2' } });
  // Twice across two [DEFAULT] sections counts as twice (botocore: DuplicateOptionError).
  assert.equal(syntaxError('[DEFAULT]\nx=1\n[DEFAULT]\nx=2\n').line, 4);
});

test('stray text is an error on its line, reported after the whole file as configparser does', () => {
  // botocore: ConfigParseError (ParsingError)
  const error = syntaxError('[profile a]\nx=1\njust words\ny=2\nmore words\n');
  assert.equal(error.line, 3);
  assert.match(error.reason, /in \[profile a\]: "just words" is neither a \[section\] nor a key = value line/);
  assert.match(syntaxError('[p]\n= 1\n').reason, /"= 1" has no key before the "="/);
});

test('an unterminated section header is an error that says so', () => {
  // botocore: ConfigParseError after a section (ParsingError), and before any (MissingSectionHeaderError).
  const error = syntaxError('[profile a]\nx=1\n[profile b\ny=2\n');
  assert.equal(error.line, 3);
  assert.match(error.reason, /"\[profile b" opens a \[section\] header that never closes/);
  assert.equal(syntaxError('[profile b\ny=2\n').line, 1);
});

test('a key before any section header is an error; comments and blank lines before it are fine', () => {
  // botocore: ConfigParseError (MissingSectionHeaderError)
  const error = syntaxError('\n# c\nx=1\n[profile a]\n');
  assert.equal(error.line, 3);
  assert.match(error.reason, /"x=1" comes before any \[section\] header/);
  assert.deepEqual(sections('# c\n; c\n\n[profile a]\n'), { 'profile a': {} });
});

test('a byte-order mark is refused: botocore reads it as text before the first header and fails too', () => {
  // botocore: ConfigParseError for "\ufeff[profile a]" and for "\ufeff\n[profile a]" (U+FEFF is not
  // white space to Python, so the first line is never blank nor a header).
  const error = syntaxError('\ufeff[profile a]\nx=1\n');
  assert.equal(error.line, 1);
  assert.match(error.reason, /byte-order mark, which the AWS CLI cannot read either/);
  assert.match(error.reason, /without BOM/);
});

test('invalid UTF-8 is refused with the line of the first bad byte', () => {
  // botocore: ConfigParseError (UnicodeDecodeError)
  const bytes = Buffer.from('[profile a]\nx=1\ny=\xff\xfe\n', 'latin1');
  assert.throws(
    () => decodeConfigBytes(bytes),
    (error: unknown) => error instanceof IniSyntaxError && error.line === 3 && /not valid UTF-8/.test(error.reason),
  );
  assert.equal(decodeConfigBytes(Buffer.from('[p]\nx = é\n')), '[p]\nx = é\n');
});

test('readIniFile: a file error is one ConfigError line naming the file with ~ and the line', () => {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-ini-'));
  const env = { HOME: home };
  const write = (name: string, content: string | Buffer) => {
    const path = join(home, name);
    writeFileSync(path, content);
    return path;
  };
  const cases: [string, string | Buffer, RegExp][] = [
    ['bom', Buffer.from('\ufeff[default]\nregion=x\n'), /^~\/bom:1: the file starts with a byte-order mark/],
    ['utf8', Buffer.concat([Buffer.from('[default]\nregion='), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]), /^~\/utf8:2: the file is not valid UTF-8/],
    ['dup', '[default]\nregion=x\n[default]\n', /^~\/dup:3: section \[default\] appears twice/],
    ['nested', '[profile a]\ns3 =\n  nonsense\n', /^~\/nested:1: in \[profile a\], s3: sub-setting "nonsense" has no "="/],
    ['stray', '[profile a]\nbad line\u2028here\n', /^~\/stray:2: in \[profile a\]: "bad line\\u2028here" is neither/],
  ];
  for (const [name, content, expected] of cases) {
    const path = write(name, content);
    assert.throws(
      () => readIniFile(path, env),
      (error: unknown) => error instanceof ConfigError && expected.test(error.message) && !/[\n\r\u2028]/.test(error.message),
      name,
    );
  }
  // A missing file is an empty one (botocore: ConfigNotFound, ignored), and so is a directory.
  assert.deepEqual(readIniFile(join(home, 'missing'), env), { sections: [] });
  assert.deepEqual(readIniFile(home, env), { sections: [] });
});
