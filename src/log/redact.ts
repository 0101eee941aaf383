/**
 * Every secret rolecall handles is registered here the moment it is read, so
 * that whatever text leaves the process (a --debug line, an error from STS or
 * from a credential process) can be scrubbed of it. The rule is still to
 * never format a secret into a message; this is the net under that rule.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would blank out ordinary words; real secrets are long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('****');
  }
  return out;
}
