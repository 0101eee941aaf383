/**
 * Hands the agent the answer a plain command ended with (agent/ready-answer.ts),
 * so that the same command asked again is answered in one request. Only an
 * answer that can be checked is handed over: every vault item the command
 * read was recorded with its signature, the config files' stamps had
 * settled before they were read, and the command said nothing the next one
 * would then not say. It lasts until the earliest expiry among the values
 * read less the minimum life a cached session must have, so it is never
 * served where the whole way would have fetched a new session.
 */
import type { Env } from '../base/env.js';
import { configStamps, type ConfigStamps } from '../config/config-stamps.js';
import { tell } from '../agent/agent-client.js';
import { agentPlace } from '../agent/agent-dir.js';
import { agentOnIfValid } from '../agent/agent-settings.js';
import { AgentVault } from '../agent/agent-vault.js';
import { keyedEnv, type ReadyForm } from '../agent/ready-answer.js';
import { anyNoteSaid, debug } from '../log/debug-log.js';
import type { CommandContext } from './command-context.js';

interface ReadyAnswerSource {
  readonly words: ReadyForm['words'];
  /** The environment the command was started with. */
  readonly processEnv: Env;
}

/** Hands the agent the answer a plain command ended with, in its context; given to the command by resolvingReady. */
export type KeepReadyAnswer = (context: CommandContext, answer: string) => Promise<void>;

/**
 * Runs the whole way of exec or credential-process. A plain one (`words`,
 * its ready form) with the agent on gets `keep` to hand over its answer, the
 * stamps of the config files taken first, before the config is read (an edit
 * after this changes them, so an answer kept is never newer than its
 * stamps); when it fails, the same commands waiting for its answer are sent
 * their own way. Any other, or with the agent off, does only its work.
 */
export async function resolvingReady<T>(words: ReadyForm['words'] | undefined, processEnv: Env, work: (keep?: KeepReadyAnswer) => Promise<T>): Promise<T> {
  if (!words || !agentOnIfValid(processEnv)) return work();
  const source = { words, processEnv };
  const stamps = configStamps(processEnv);
  try {
    return await work((context, answer) => keepReadyAnswer(context, source, stamps, answer));
  } catch (error) {
    await keepNoReadyAnswer(source);
    throw error;
  }
}

async function keepReadyAnswer(context: CommandContext, source: ReadyAnswerSource, stamps: ConfigStamps, answer: string): Promise<void> {
  const env = keyedEnv(source.processEnv);
  if (!env) return;
  const vault = anyNoteSaid() || !stamps.settled ? undefined : await context.vault().catch(() => undefined);
  const reads = vault instanceof AgentVault ? vault.vaultReads() : undefined;
  const until = reads?.earliestExpiry !== undefined ? reads.earliestExpiry - context.cache.minTtlMs : 0;
  if (!(vault instanceof AgentVault) || until <= Date.now() || !reads) return keepNoReadyAnswer(source);
  const kept = await vault.link.request({ op: 'ready-put', words: source.words, env, stamps: stamps.signatures, answer, until: new Date(until).toISOString(), dependsOn: reads.dependsOn });
  if (kept?.ok) debug(`the agent keeps this answer ready for the next \`rolecall ${source.words.join(' ')}\``);
}

/**
 * Tells the agent this command keeps no answer (it failed, or its answer
 * could not be checked), so that the same commands waiting for one go the
 * whole way now rather than at the end of the wait. Never starts an agent,
 * and says nothing: the command's own error, or its vault, says what matters.
 */
async function keepNoReadyAnswer(source: ReadyAnswerSource): Promise<void> {
  try {
    const env = keyedEnv(source.processEnv);
    if (!env) return;
    await tell(agentPlace(source.processEnv), { op: 'ready-none', words: source.words, env });
  } catch {
    // A socket path that cannot be used: the command's own error says what matters.
  }
}
