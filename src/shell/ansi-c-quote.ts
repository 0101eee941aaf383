/**
 * Quoting for bash and zsh alike: plain single quotes when the value is
 * printable ASCII, else `$'…'` with every other byte as `\xHH`. Both shells
 * read `$'\xHH'` as that one byte, so any content (a file's bytes, a name
 * with `$(…)` or `;` in it, invalid UTF-8) comes back exactly, as data.
 * bash cannot hold a NUL (its textView stops before one); zsh can.
 */
export function shellQuote(value: string | Buffer): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.every(isPlain)) return `'${bytes.toString('latin1')}'`;
  let out = "$'";
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

function isPlain(byte: number): boolean {
  return byte >= 0x20 && byte < 0x7f && byte !== 0x27;
}

/** Only names we generate reach the shell unquoted; this keeps it so. */
export function checkVariableName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
  return name;
}

/** The lines bash and zsh both read the same way. */
export const exportLine = (name: string, value: string | Buffer): string => `export ${checkVariableName(name)}=${shellQuote(value)}`;
export const unsetLine = (name: string): string => `unset ${checkVariableName(name)}`;
export const assignLine = (name: string, value: string | Buffer): string => `${checkVariableName(name)}=${shellQuote(value)}`;
