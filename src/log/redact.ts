/**
 * Every secret rolecall handles is registered here the moment it is read, so
 * that whatever text leaves the process (a --debug line, an error from STS or
 * from a credential process) can be scrubbed of it. The rule is still to
 * never format a secret into a message; this is the net under that rule.
 */
const secrets = new Set<string>();

/** Below this length a secret (an MFA code, a short passphrase) is only scrubbed as a whole word. */
const SHORT = 16;

export function registerSecret(value: string | undefined): void {
  // Very short values would blank out ordinary words; real secrets are long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (!out.includes(secret)) continue;
    if (secret.length >= SHORT) {
      out = out.split(secret).join('****');
    } else {
      // "123456" as a code, but not inside the account id 123456789012:
      // scrubbing inside other words would garble the line and, by where the
      // stars fall, give the code away.
      const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), '****');
    }
  }
  return out;
}

/** AKIA…WXYZ: enough to tell keys apart in --debug, never enough to use. */
export function maskKeyId(accessKeyId: string): string {
  return accessKeyId.length <= 8 ? '…' : `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
}
