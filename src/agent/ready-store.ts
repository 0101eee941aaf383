/**
 * The agent's ready answers (ready-answer.ts), and the commands resolving
 * one right now. An answer is served while it is in time and every vault
 * item it was made from still has the signature it was read under; it is
 * kept without the environment it is known by (which may hold a parent
 * shell's own keys): its name is a hash.
 *
 * Single flight for the plain commands: the first one to miss an answer is
 * taken to be resolving it, for at most RESOLVING_MS; the same command
 * started meanwhile is told so and may wait here, parked on its connection,
 * instead of each loading the whole way, reading the vault and waiting on the
 * session's lock (20 cold execs at once: one resolves, 19 wait for its
 * answer). The wait ends with the answer, with the resolver saying it keeps
 * none (ready-none), with the resolver's process gone without a word (Ctrl-C
 * at an MFA prompt, a kill: the next try must not wait out its flight), or
 * at the end of the flight: a miss, and the waiter goes the whole way, where
 * the session's own lock still allows one STS call.
 */
import { sha256Hex } from '../base/sha256.js';
import { isProcessAlive, processStartTime } from '../fs/process-liveness.js';
import { fileItemSignature } from '../vault/file-vault.js';
import { vaultGeneration } from '../vault/vault-generation.js';
import type { ReadyAnswerRecord, ReadyAsk, ReadyRequest, ReadySummary } from './agent-protocol.js';
import { readyAnswerName, RESOLVING_MS, type ReadyDependency } from './ready-answer.js';

/** Answers kept at most (one per profile, command and environment in use); the oldest goes first. */
const MAX_READY_ANSWERS = 256;

interface Kept {
  readonly record: Omit<ReadyAnswerRecord, 'env' | 'stamps'>;
  /** The command and environment it answers (flightName): a newer answer for them replaces it. */
  readonly flight: string;
  served: number;
}

/** How often a flight with waiters checks that its resolver still runs. */
const RESOLVER_CHECK_MS = 100;

interface Flight {
  readonly until: number;
  /** Each parked ready-wait: called when the flight ends, it answers with what is kept then. */
  readonly waiters: Array<() => void>;
  readonly timer: NodeJS.Timeout;
  /** The command resolving it, when it said who it is: pid and start time (pids are reused). */
  readonly resolver: { readonly pid: number; readonly startTime: string | undefined } | undefined;
  /** While it has waiters: the check that the resolver still runs. */
  watch?: NodeJS.Timeout;
}

export type ReadyLookup = { readonly answer: string } | { readonly resolvingUntil: number } | { readonly miss: true };

export class ReadyStore {
  private readonly kept = new Map<string, Kept>();
  private readonly flights = new Map<string, Flight>();

  /** The answer; else whether another command is resolving it (then wait()); else a miss, and the asker (process `pid`) is the one resolving it. */
  lookup(ask: ReadyAsk, pid?: number): ReadyLookup {
    const answer = this.served(answerName(ask));
    if (answer !== undefined) return { answer };
    const name = flightName(ask);
    const flight = this.flights.get(name);
    if (flight && !resolverGone(flight)) return { resolvingUntil: flight.until };
    // Its resolver ended without keeping an answer or saying it keeps none: this asker resolves it now.
    if (flight) this.endFlight(name);
    this.startFlight(name, pid);
    return { miss: true };
  }

  /** The answer once the command resolving it keeps it; undefined when it keeps none, its process is gone, or its time is up. */
  wait(ask: ReadyAsk): Promise<string | undefined> {
    const answer = this.served(answerName(ask));
    const name = flightName(ask);
    const flight = this.flights.get(name);
    if (answer !== undefined || !flight) return Promise.resolve(answer);
    if (flight.resolver && !flight.watch) {
      flight.watch = setInterval(() => {
        if (resolverGone(flight)) this.endFlight(name);
      }, RESOLVER_CHECK_MS);
      flight.watch.unref();
    }
    return new Promise((resolve) => flight.waiters.push(() => resolve(this.served(answerName(ask)))));
  }

  /** Kept only if what it was made from has not changed already: a vault write between the command's read and this would otherwise be hidden. */
  keep(record: ReadyAnswerRecord): void {
    const name = answerName(record);
    const flight = flightName(record);
    if (Date.parse(record.until) > Date.now() && record.dependsOn.every(stillSigned)) {
      // One answer per command and environment: the one made from files as they were before is never served again.
      for (const [other, kept] of this.kept) if (kept.flight === flight) this.kept.delete(other);
      if (this.kept.size >= MAX_READY_ANSWERS) this.kept.delete(this.kept.keys().next().value as string);
      const { words, answer, until, dependsOn } = record;
      this.kept.set(name, { record: { words, answer, until, dependsOn }, flight, served: 0 });
    }
    this.endFlight(flight);
  }

  /** The command resolving it keeps no answer (it failed, said something, or read what cannot be checked): its waiters go the whole way. */
  none(ask: ReadyRequest): void {
    this.endFlight(flightName(ask));
  }

  /** Forgets the answers made from a vault item the agent no longer holds as it was (dropped, replaced, expired), so its secrets leave memory with it. */
  forgetDependingOn(service: string, account: string): void {
    for (const [name, kept] of this.kept) {
      if (kept.record.dependsOn.some((d) => d.service === service && d.account === account)) this.kept.delete(name);
    }
  }

  summaries(): ReadySummary[] {
    const now = Date.now();
    return [...this.kept.values()].filter((kept) => Date.parse(kept.record.until) > now).map((kept) => ({ words: kept.record.words, until: kept.record.until, served: kept.served }));
  }

  clear(): void {
    this.kept.clear();
    for (const name of [...this.flights.keys()]) this.endFlight(name);
  }

  private served(name: string): string | undefined {
    const kept = this.kept.get(name);
    if (!kept) return undefined;
    if (Date.parse(kept.record.until) <= Date.now() || !kept.record.dependsOn.every(stillSigned)) {
      this.kept.delete(name);
      return undefined;
    }
    kept.served += 1;
    return kept.record.answer;
  }

  /** Its timer holds the flight's name only: a request's environment may hold a parent shell's own keys. */
  private startFlight(name: string, pid: number | undefined): void {
    const timer = setTimeout(() => this.endFlight(name), RESOLVING_MS);
    timer.unref();
    const resolver = pid !== undefined ? { pid, startTime: processStartTime(pid) } : undefined;
    this.flights.set(name, { until: Date.now() + RESOLVING_MS, waiters: [], timer, resolver });
  }

  /** The flight ends; each waiter gets the answer kept now for what it asked, if any. */
  private endFlight(name: string): void {
    const flight = this.flights.get(name);
    if (!flight) return;
    this.flights.delete(name);
    clearTimeout(flight.timer);
    clearInterval(flight.watch);
    for (const waiter of flight.waiters.splice(0)) waiter();
  }
}

/** Whether the command resolving `flight` has ended (it never says so when it is killed, or ends at Ctrl-C). */
function resolverGone(flight: Flight): boolean {
  return flight.resolver !== undefined && !isProcessAlive(flight.resolver.pid, flight.resolver.startTime);
}

/** A flight is known by the command and its environment alone: the files may change under it. */
function flightName(ask: ReadyRequest): string {
  return sha256Hex(readyAnswerName(ask.words, ask.env, []));
}

/**
 * An answer's name, with the config files' stamps the command took: the
 * agent never stats a path a client names in its environment (a config on a
 * hung network mount would hold every command of the user's at the agent).
 */
function answerName(ask: ReadyAsk): string {
  return sha256Hex(readyAnswerName(ask.words, ask.env, ask.stamps));
}

/** The item's signature now, found where the command found it, is the one the answer was made under. */
function stillSigned(dependency: ReadyDependency): boolean {
  const { service, account, signedBy } = dependency;
  try {
    const now = 'fileVault' in signedBy ? fileItemSignature(signedBy.fileVault, service, account) : vaultGeneration(signedBy.markers, service, account);
    return now === dependency.signature;
  } catch {
    return false;
  }
}
