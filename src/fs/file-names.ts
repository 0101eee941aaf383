/**
 * Service and account names as file names: letters, digits, `_` and `-`
 * stay; every other byte becomes %XX. So no name can be `.`, `..`, hidden,
 * or contain `/`, and each file name maps back to exactly one name.
 */
export function encodeName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The name back, or undefined for a file name rolecall did not write. */
export function decodeName(fileName: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(fileName)) return undefined;
  try {
    return decodeURIComponent(fileName);
  } catch {
    return undefined;
  }
}
