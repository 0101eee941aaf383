import { ArgumentError } from '../base/errors.js';

/** --mfa-token: six digits, refused before any call. */
export function checkedMfaToken(value: string): string {
  if (!/^\d{6}$/.test(value)) throw new ArgumentError('--mfa-token takes the six digits your MFA device shows');
  return value;
}
