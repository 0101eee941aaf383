/**
 * The shapes STS accepts for values read from the config files (and botocore,
 * for a region), checked before any call: a typo becomes one line naming the
 * file, profile and key, not a ValidationError from AWS after an MFA prompt.
 */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const MFA_SERIAL = /^[\w+=/:,.@-]{9,256}$/;
// IAM: a role's name is 1 to 64 characters, after an optional path; STS takes ARNs of 20 to 2048.
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const REGION = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export function isValidExternalId(value: string): boolean {
  return EXTERNAL_ID.test(value);
}

export function isValidRoleArn(value: string): boolean {
  return value.length <= 2048 && ROLE_ARN.test(value);
}

export function isValidMfaSerial(value: string): boolean {
  return MFA_SERIAL.test(value);
}

export function isValidRegion(value: string): boolean {
  return REGION.test(value);
}

/**
 * AWS config files have comments only at the start of a line: botocore reads
 * `external_id = abc  # required` as the value "abc  # required". Configs
 * copied from blog posts (the seed's among them) have exactly such lines, so
 * an error about a value says so when the value carries one.
 */
export function hasTrailingComment(value: string): boolean {
  return /\s[#;]/.test(value);
}

/**
 * How an error quotes a value it refuses. A secret pasted into the wrong key
 * (`aws configure` asks for the secret and then the region: one paste too
 * many puts the secret in `region`) must not be printed back; a value shaped
 * like a key or token is described instead of shown.
 */
export function shownValue(value: string, quote: (text: string, max?: number) => string): string {
  // No setting is this long, and not searched either: V8's regular expressions overflow their stack on megabytes.
  if (value.length > LONGEST_SHOWN) return `a ${value.length}-character value (not shown)`;
  if (value.split(/\s+/).some(looksLikeCredential)) {
    return `a ${value.trim().length}-character value with what looks like a key or token in it (not shown)`;
  }
  return quote(value, 70);
}

const LONGEST_SHOWN = 4096;

/** The shapes of an access key id, a secret access key and a session token. */
function looksLikeCredential(word: string): boolean {
  return /^(AKIA|ASIA)[A-Z0-9]{16}$/.test(word) || /^[A-Za-z0-9/+]{40}$/.test(word) || /^[A-Za-z0-9/+=]{100,}$/.test(word);
}

export const TRAILING_COMMENT_HINT = 'the AWS CLI reads a # or ; after a value as part of the value, so put the comment on a line of its own';
