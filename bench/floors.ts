/**
 * The floors of table 1: scripts that do only what no rolecall can avoid for
 * a row, so a budget can be read against what Node itself costs for it:
 *
 * - agent on: connect to the agent's socket, send a line, read a line, spawn
 *   `true` (a ready answer is exactly that, plus reading the reply);
 * - keychain, agent off: load keytar, look up two items (the base key, then
 *   the session named from it), spawn `true`;
 * - file vault, agent off: scrypt with the file vault's parameters, spawn
 *   `true`;
 * - and for table 4's 20 execs at once, a bare Node start that spawns
 *   `true`: nineteen of them beside one cold exec are what the machine's
 *   cores make of twenty starts, whatever each does.
 *
 * Each is a `node -e` line: a file to load would cost what rolecall's own
 * entry costs, and the floor is what is left without it.
 */
import { dirname, join } from 'node:path';
import { rolecallBin } from '../test/helpers/sandbox.js';
import { agentPlace } from '../src/agent/agent-dir.js';
import { KEYS_SERVICE, SESSIONS_SERVICE } from '../src/vault/vault.js';
import { newScryptParams } from '../src/vault/vault-crypto.js';
import type { CommandSpec } from './measure-command.js';

const SPAWN_TRUE = "require('node:child_process').spawn('true',[],{stdio:'inherit'}).on('exit',(c)=>process.exit(c))";

export function agentFloor(env: Record<string, string>): CommandSpec {
  const socket = agentPlace(env).socket;
  const script = `const s=require('node:net').createConnection(${JSON.stringify(socket)});s.on('connect',()=>s.write('{"op":"ping"}\\n'));s.once('data',()=>{s.destroy();${SPAWN_TRUE}})`;
  return { name: 'floor: a script that asks the agent one line and spawns `true`', argv: [process.execPath, '-e', script], env };
}

export function keychainFloor(env: Record<string, string>): CommandSpec {
  const keytar = join(dirname(rolecallBin), '..', 'node_modules', 'keytar');
  const script = `const k=require(${JSON.stringify(keytar)});k.getPassword(${JSON.stringify(KEYS_SERVICE)},'keys').then(()=>k.getPassword(${JSON.stringify(SESSIONS_SERVICE)},'role@floor')).then(()=>{${SPAWN_TRUE}})`;
  return { name: 'floor: a script that loads keytar, looks up two items and spawns `true`', argv: [process.execPath, '-e', script], env };
}

export function scryptFloor(env: Record<string, string>): CommandSpec {
  const { N, r, p } = newScryptParams();
  const script = `require('node:crypto').scrypt('passphrase',Buffer.alloc(16),32,{N:${N},r:${r},p:${p},maxmem:${256 * N * r + 16 * 1024 * 1024}},()=>{${SPAWN_TRUE}})`;
  return { name: `floor: a script that runs the file vault's scrypt (N=2^${Math.log2(N)}, r=${r}) and spawns \`true\``, argv: [process.execPath, '-e', script], env };
}

export function startFloor(env: Record<string, string>): CommandSpec {
  return { name: 'floor: a Node start that spawns `true`', argv: [process.execPath, '-e', SPAWN_TRUE], env };
}
