/** What every step produces and what the child finally gets. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Absent for long-term keys. */
  readonly expiration?: Date;
}

/**
 * One way of getting credentials, in the spirit of aws-vault's providers:
 * a step of a Plan becomes one of these, wrapping the provider of the step
 * below it. The session cache is one more wrapper.
 */
export interface CredentialProvider {
  /** Short, secret-free text for --debug: "AssumeRole arn:aws:iam::…:role/x". */
  readonly description: string;
  retrieve(): Promise<Credentials>;
}
