/**
 * The SHA-256 that names a cached session, asked of the agent: it has
 * node:crypto loaded, which a command on a warm hit would otherwise load
 * for this one hash (4 to 12 ms, see base/node-crypto.ts), against well
 * under a millisecond for the round trip. No agent, or an answer that is not
 * a digest: computed here, so the name is the same either way.
 */
import { sha256Hex } from '../base/node-crypto.js';
import type { AgentLink } from './agent-client.js';

export function agentDigest(link: AgentLink): (text: string) => Promise<string> {
  return async (text) => {
    const reply = await link.request({ op: 'digest', text });
    return reply?.ok && reply.value !== undefined && /^[0-9a-f]{64}$/.test(reply.value) ? reply.value : sha256Hex(text);
  };
}
