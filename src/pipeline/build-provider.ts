/**
 * Turns a Plan into nested providers: the source at the bottom, each STS step
 * wrapping the one below. The session cache (when present) wraps each STS
 * step through `wrapStep` (and the source through `wrapSource`), so caching
 * stays out of the providers themselves.
 */
import type { Env } from '../base/env.js';
import type { Plan, SessionStep, SourceStep } from '../config/plan.js';
import { registerSecret } from '../log/redact.js';
import type { StsTarget } from '../sts/sts-client.js';
import type { CredentialProvider } from '../config/credentials.js';
import type { MfaCodeSource } from '../credentials/mfa-code.js';
import { ProcessProvider } from '../credentials/process-provider.js';
import { EnvironmentKeysProvider, ProfileKeysProvider, SdkSourceProvider, type VaultKeyLookup } from '../credentials/source-providers.js';
import { AssumeRoleProvider, SessionTokenProvider } from '../credentials/sts-providers.js';

export interface ProviderContext {
  /** The environment rolecall was started with (credential_source = Environment reads it). */
  readonly env: Env;
  readonly sts: StsTarget;
  readonly mfa: MfaCodeSource;
  readonly lookupVault?: VaultKeyLookup;
  /**
   * Wraps the provider of one STS step, e.g. in the session cache. `caller`
   * is the provider of the credentials the step calls STS with; `sts` is
   * where the call goes (it decides the session as much as the step does).
   */
  readonly wrapStep?: (step: SessionStep, provider: CredentialProvider, caller: CredentialProvider, sts: StsTarget) => CredentialProvider;
  /** Wraps the source, e.g. to cache a credential_process whose output expires. */
  readonly wrapSource?: (source: SourceStep, provider: CredentialProvider) => CredentialProvider;
}

export function buildProvider(plan: Plan, context: ProviderContext): CredentialProvider {
  let provider = sourceProvider(plan, context);
  if (context.wrapSource) provider = context.wrapSource(plan.source, provider);
  for (const step of plan.steps) {
    const caller = provider;
    const own = step.kind === 'sessionToken' ? new SessionTokenProvider(step, caller, context.sts, context.mfa) : new AssumeRoleProvider(step, caller, context.sts, context.mfa);
    provider = context.wrapStep ? context.wrapStep(step, own, caller, context.sts) : own;
  }
  return provider;
}

function sourceProvider(plan: Plan, context: ProviderContext): CredentialProvider {
  const source = plan.source;
  switch (source.kind) {
    case 'profileKeys':
      registerSecret(source.fileKeys?.secretAccessKey);
      registerSecret(source.fileKeys?.sessionToken);
      return new ProfileKeysProvider(source.profile, source.fileKeys, context.lookupVault);
    case 'environment':
      return new EnvironmentKeysProvider(context.env, source.profile);
    case 'instanceMetadata':
    case 'ecsContainer':
      return new SdkSourceProvider(source.kind, source.profile);
    case 'process':
      return new ProcessProvider(source.profile, source.command);
  }
}
