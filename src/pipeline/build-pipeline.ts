/**
 * The one place a Plan becomes the chain of providers that gets its
 * credentials (aws-vault's vault.go, in shape): the source at the bottom,
 * each STS step wrapping the link below it, and the session cache around
 * every link whose credentials expire.
 *
 * A cached link is looked up by a name that must be known without calling
 * STS or asking for a code (else a warm hit would cost both), so each link
 * carries its identity beside its provider, decided here from the Plan step
 * it runs: keys read locally are named by their access key id; a cached
 * link by its cache key, which covers the identity of the link below; a
 * source that cannot be read without the network is named by what it is,
 * and IAM Identity Center's role credentials by the instance, account and role.
 */
import type { SessionStep, SourceStep } from '../config/plan.js';
import type { CredentialProvider } from '../config/credentials.js';
import { CachedSessionProvider, type CacheSettings } from '../cache/cached-session-provider.js';
import { processAccount, sessionAccount, ssoRoleAccount } from '../cache/session-key.js';
import { originOfProcess, originOfSsoRole, originOfStep, type SessionOrigin } from '../cache/stored-session.js';
import { portalTarget } from '../identity-center/portal-endpoint.js';
import { SsoRoleProvider } from '../sso/role-credentials.js';
import { ProcessProvider } from '../credentials/process-provider.js';
import { EnvironmentKeysProvider, ProfileKeysProvider, SdkSourceProvider } from '../credentials/source-providers.js';
import { AssumeRoleProvider, SessionTokenProvider } from '../credentials/sts-providers.js';
import type { MfaCodeSource } from '../credentials/mfa-code.js';
import type { Plan } from '../config/plan.js';
import { registerSecret } from '../log/redact.js';
import type { StsTarget } from '../sts/sts-client.js';
import { ssoContextOf, type CommandContext } from './command-context.js';
import { vaultKeyLookup } from './vault-keys.js';

/** One link of the chain: its provider, and the name of what it gives, known without the network. */
export interface Link {
  readonly provider: CredentialProvider;
  readonly identity: () => Promise<string>;
}

export function buildPipeline(plan: Plan, sts: StsTarget, context: CommandContext): CredentialProvider {
  let link = sourceLink(plan.source, context);
  // mfa_process inherits what credential_process does: the process's environment, loop marker included.
  const mfa: MfaCodeSource = { ...context.mfa, env: context.processEnv };
  for (const step of plan.steps) link = stepLink(step, stsProvider(step, link.provider, sts, mfa), link, sts, context.cache);
  return link.provider;
}

function sourceLink(source: SourceStep, context: CommandContext): Link {
  switch (source.kind) {
    case 'profileKeys':
      registerSecret(source.fileKeys?.secretAccessKey);
      registerSecret(source.fileKeys?.sessionToken);
      return keysLink(new ProfileKeysProvider(source.profile, source.fileKeys, vaultKeyLookup(context, source)));
    case 'environment':
      return keysLink(new EnvironmentKeysProvider(context.env, source.profile));
    case 'instanceMetadata':
    case 'ecsContainer': {
      const provider = new SdkSourceProvider(source.kind, source.profile);
      return { provider, identity: async () => `source:${provider.description}` };
    }
    case 'process':
      return processLink(source, new ProcessProvider(source.profile, source.command, context.processEnv), context.cache);
    case 'ssoRole':
      return ssoRoleLink(source, context);
  }
}

/** IAM Identity Center's role credentials: cached like an STS step, named by the instance, account and role (no token needed to look). */
function ssoRoleLink(source: Extract<SourceStep, { kind: 'ssoRole' }>, context: CommandContext): Link {
  const portal = portalTarget(source.session, context.env);
  const provider = new SsoRoleProvider(source, portal, ssoContextOf(context));
  return cachedLink(originOfSsoRole(source), provider, async () => ssoRoleAccount(source, portal), context.cache);
}

function stsProvider(step: SessionStep, caller: CredentialProvider, sts: StsTarget, mfa: MfaCodeSource): CredentialProvider {
  return step.kind === 'sessionToken' ? new SessionTokenProvider(step, caller, sts, mfa) : new AssumeRoleProvider(step, caller, sts, mfa);
}

/** Keys read locally (the vault, a file, the environment): named by their access key id, which costs no network. */
export function keysLink(provider: CredentialProvider): Link {
  return { provider, identity: async () => `keys:${(await provider.retrieve()).accessKeyId}` };
}

/** A credential_process: cached when what it prints has an Expiration, and named by its command. */
export function processLink(source: Extract<SourceStep, { kind: 'process' }>, inner: CredentialProvider, cache: CacheSettings): Link {
  return cachedLink(originOfProcess(source), inner, async () => processAccount(source.profile, source.command), cache);
}

/** An STS step over `caller`: its cache key covers the caller's identity, where the call goes, and the step. */
export function stepLink(step: SessionStep, inner: CredentialProvider, caller: Link, sts: StsTarget, cache: CacheSettings): Link {
  return cachedLink(originOfStep(step, sts), inner, async () => sessionAccount(await caller.identity(), step, sts), cache);
}

function cachedLink(origin: SessionOrigin, inner: CredentialProvider, nameAccount: () => Promise<string>, cache: CacheSettings): Link {
  const cached = new CachedSessionProvider(origin, inner, nameAccount, cache);
  return { provider: cached, identity: async () => `session:${await cached.cacheAccount()}` };
}
