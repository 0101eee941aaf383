/** STS's rule for RoleSessionName: 2 to 64 of [\w+=,.@-]. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export function isValidSessionName(name: string): boolean {
  return SESSION_NAME.test(name);
}

/**
 * "rolecall-USER": says in CloudTrail who assumed the role and with what,
 * with the characters STS refuses replaced so any login name works.
 */
export function defaultSessionName(userName: string | undefined): string {
  const user = (userName ?? '').replace(/[^\w+=,.@-]/g, '_');
  return `rolecall-${user || 'user'}`.slice(0, 64);
}

/** GetFederationToken's Name: "rolecall-USER" as above, within its 32 characters. */
export function federationName(userName: string | undefined): string {
  return defaultSessionName(userName).slice(0, 32);
}
