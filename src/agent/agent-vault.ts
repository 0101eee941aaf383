/**
 * A Vault that asks the agent first. Reads go to the agent; a miss reads the
 * real vault (opened only then: a warm exec loads no keytar and runs no
 * scrypt) and hands the value to the agent. Writes and removals go to the
 * real vault first, then update or drop the agent's copy, so `clear`,
 * `remove` and `rotate`, which go through the vault, never leave the agent
 * serving what they dropped. Every entry carries a signature, and the
 * agent's copy is served only while the signature a client sends matches
 * the one it was handed with: a file-vault entry's is its item file's stat,
 * any other's (the keychain's) the stat of the item's generation marker
 * (vault/vault-generation.ts), which each write of it through the vault changes.
 * So a change made by another process, even one run with ROLECALL_AGENT=off
 * or one whose drop did not reach the agent, is never hidden by the agent;
 * and a drop or update that could not be delivered is said in one line.
 */
import { registerSecret } from '../log/redact.js';
import { debug, note } from '../log/debug-log.js';
import { fileItemSignature, type KeyKeeper } from '../vault/file-vault.js';
import { vaultGeneration } from '../vault/vault-generation.js';
import { KEYS_SERVICE, SESSIONS_SERVICE, type Vault } from '../vault/vault.js';
import type { AgentLink } from './agent-client.js';
import type { EntrySummary } from './agent-protocol.js';
import type { ReadyDependency } from './ready-answer.js';

/** What this command read of the vault, for a ready answer made from it (ready-answer.ts). */
export interface VaultReads {
  readonly dependsOn: readonly ReadyDependency[];
  /** The earliest expiry among the values read (sessions, tokens), in ms since the epoch. */
  readonly earliestExpiry: number | undefined;
}

export interface AgentVaultSpec {
  readonly link: AgentLink;
  /** --backend or ROLECALL_BACKEND; 'auto' when neither chose. */
  readonly chosen: 'keychain' | 'file' | 'auto';
  /** The file vault's directory: its store's name, the scope of the automatic choice. */
  readonly fileDir: string;
  /** The keychain items' generation markers: the signatures of its entries. */
  readonly keychainGeneration: string;
  /** Opens the real vault, the file vault with the agent as its key keeper. */
  readonly open: (keeper: KeyKeeper) => Promise<Vault>;
}

export async function agentVault(spec: AgentVaultSpec): Promise<Vault> {
  if (spec.chosen !== 'auto') return new AgentVault(spec, spec.chosen);
  // Which backend the automatic choice made last time: asking keytar again is the cost this saves.
  const choice = await spec.link.request({ op: 'choice-get', scope: spec.fileDir });
  if (choice?.ok && (choice.backend === 'keychain' || choice.backend === 'file')) return new AgentVault(spec, choice.backend, choice.fallbackReason);
  const vault = new AgentVault(spec, 'file');
  await vault.openReal();
  return vault;
}

export class AgentVault implements Vault {
  private real: Promise<Vault> | undefined;
  private opened: Vault | undefined;
  /** Each item read or written, by service and account, with the signature it was read under (the last one wins). */
  private readonly reads = new Map<string, ReadyDependency & { readonly expiresAt?: string }>();
  /** Set once something was read that a ready answer could not be checked against (a list, a copy the agent was not given). */
  private unrecorded = false;

  constructor(
    private readonly spec: AgentVaultSpec,
    private readonly assumed: 'keychain' | 'file',
    private readonly assumedFallback?: string,
  ) {}

  get backend(): string {
    return this.opened?.backend ?? this.assumed;
  }

  get fallbackReason(): string | undefined {
    return this.opened ? this.opened.fallbackReason : this.assumedFallback;
  }

  async get(service: string, account: string): Promise<string | undefined> {
    const asked = this.signatureOf(service, account);
    const reply = await this.spec.link.request({ op: 'get', ...this.nameOf(service, account), ...asked });
    if (reply?.ok && reply.value !== undefined) {
      registerSecret(reply.value);
      debug(`${service} ${account}: from the agent`);
      this.record(service, account, asked.signature, describe(service, account, reply.value).expiresAt);
      return reply.value;
    }
    const real = await this.openReal();
    // Taken before the read: a file changed in between leaves a signature that no longer matches, a miss, never a stale hit.
    const signature = this.signatureOf(service, account);
    const value = await real.get(service, account);
    if (value !== undefined) {
      const summary = describe(service, account, value);
      const put = await this.spec.link.request({ op: 'put', ...this.nameOf(service, account), value, ...signature, ...summary });
      if (put?.ok) this.record(service, account, signature.signature, summary.expiresAt);
      else this.unrecorded = true;
    } else {
      // Its absence is read too: an item added later (even with the agent off) moves the signature.
      this.record(service, account, signature.signature, undefined);
    }
    return value;
  }

  async set(service: string, account: string, value: string): Promise<void> {
    const real = await this.openReal();
    await real.set(service, account, value);
    const signature = this.signatureOf(service, account);
    const summary = describe(service, account, value);
    const told = await this.spec.link.deliver({ op: 'put', ...this.nameOf(service, account), value, ...signature, ...summary });
    if (!told) undelivered(service, account, 'update');
    this.record(service, account, signature.signature, summary.expiresAt);
  }

  async remove(service: string, account: string): Promise<boolean> {
    const real = await this.openReal();
    const removed = await real.remove(service, account);
    if (!(await this.spec.link.deliver({ op: 'drop', ...this.nameOf(service, account) }))) undelivered(service, account, 'removal');
    this.record(service, account, this.signatureOf(service, account).signature, undefined);
    return removed;
  }

  /** Asked of the vault itself, never the agent (which holds what was read, not what exists); not recorded for an answer. */
  async has(service: string, account: string): Promise<boolean> {
    this.unrecorded = true;
    return (await this.openReal()).has(service, account);
  }

  async list(service: string): Promise<string[]> {
    this.unrecorded = true;
    return (await this.openReal()).list(service);
  }

  /** What this command read, for a ready answer; undefined when it read something no answer can be checked against. */
  vaultReads(): VaultReads | undefined {
    if (this.unrecorded) return undefined;
    const reads = [...this.reads.values()];
    const expiries = reads.flatMap((read) => (read.expiresAt === undefined ? [] : [Date.parse(read.expiresAt)]));
    return {
      dependsOn: reads.map(({ service, account, signature, signedBy }) => ({ service, account, signature, signedBy })),
      earliestExpiry: expiries.length ? Math.min(...expiries) : undefined,
    };
  }

  /** The vault's one line to the agent, for a command that hands it a ready answer. */
  get link(): AgentLink {
    return this.spec.link;
  }

  /** `expiresAt`: the value's, as describe() reads it; undefined for an absent item or one without. */
  private record(service: string, account: string, signature: string, expiresAt: string | undefined): void {
    const signedBy = this.backend === 'file' ? { fileVault: this.spec.fileDir } : { markers: this.spec.keychainGeneration };
    this.reads.set(JSON.stringify([service, account]), { service, account, signature, signedBy, ...(expiresAt !== undefined ? { expiresAt } : {}) });
  }

  async assertUnlocked(): Promise<void> {
    return (await this.openReal()).assertUnlocked();
  }

  /** The vault itself, opened once; the automatic choice it made is told to the agent. */
  openReal(): Promise<Vault> {
    this.real ??= this.spec.open(this.keeper()).then(async (vault) => {
      this.opened = vault;
      // The automatic choice came out otherwise than the agent remembered (the keychain unreachable from
      // here): this command read from one backend and wrote to another, and keeps no answer of that.
      if (vault.backend !== this.assumed && this.reads.size > 0) this.unrecorded = true;
      if (this.spec.chosen === 'auto' && (vault.backend === 'keychain' || vault.backend === 'file')) {
        await this.spec.link.request({ op: 'choice-put', scope: this.spec.fileDir, backend: vault.backend, ...(vault.fallbackReason !== undefined ? { fallbackReason: vault.fallbackReason } : {}) });
      }
      return vault;
    });
    return this.real;
  }

  private store(): string {
    return this.backend === 'file' ? `file:${this.spec.fileDir}` : this.backend;
  }

  private nameOf(service: string, account: string): { store: string; service: string; account: string } {
    return { store: this.store(), service, account };
  }

  private signatureOf(service: string, account: string): { signature: string } {
    return { signature: this.backend === 'file' ? fileItemSignature(this.spec.fileDir, service, account) : vaultGeneration(this.spec.keychainGeneration, service, account) };
  }

  private keeper(): KeyKeeper {
    const { link, fileDir } = this.spec;
    return {
      async recall() {
        const reply = await link.request({ op: 'key-get', dir: fileDir });
        if (!reply?.ok || reply.key === undefined) return undefined;
        registerSecret(reply.key);
        return Buffer.from(reply.key, 'base64');
      },
      async remember(key) {
        await link.request({ op: 'key-put', dir: fileDir, key: key.toString('base64') });
      },
    };
  }
}

/** The vault changed but the agent was not told: it refuses the old copy by its signature, but say so. */
function undelivered(service: string, account: string, change: 'update' | 'removal'): void {
  note(`the agent was not told of the ${change} of ${service} ${account}; it may still hold the old value (rolecall lock makes it forget)`);
}

/**
 * What `--status` may show of a value, and when the agent drops it: the
 * profile and expiry of a session (or of anything else stored with an
 * `expiration` or `expiresAt`, as SSO tokens are), the profile a key is
 * stored for. Read here, not in the agent, which never looks inside a value.
 */
function describe(service: string, account: string, value: string): Pick<EntrySummary, 'profile' | 'expiresAt'> {
  let parsed: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v === 'object' && v !== null) parsed = v as Record<string, unknown>;
  } catch {
    // Not JSON: held without an expiry or a name.
  }
  const profile = service === KEYS_SERVICE ? account : typeof parsed.profile === 'string' ? parsed.profile : undefined;
  const expiry = parsed.expiration ?? parsed.expiresAt;
  const expiresAt = typeof expiry === 'string' && !Number.isNaN(Date.parse(expiry)) ? new Date(expiry).toISOString() : undefined;
  if (service === SESSIONS_SERVICE && expiresAt === undefined) debug(`${service} ${account}: held by the agent without an expiry`);
  return { ...(profile !== undefined ? { profile } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) };
}
