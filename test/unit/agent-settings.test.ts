import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentEnabled, agentTtlSeconds } from '../../src/agent/agent-settings.js';

test('ROLECALL_AGENT: on unless off; anything else is one line', () => {
  for (const value of [undefined, '', 'on']) assert.equal(agentEnabled(value === undefined ? {} : { ROLECALL_AGENT: value }), true, String(value));
  assert.equal(agentEnabled({ ROLECALL_AGENT: 'off' }), false);
  for (const value of ['0', 'false', 'OFF', 'no']) assert.throws(() => agentEnabled({ ROLECALL_AGENT: value }), new RegExp(`^RolecallError: ROLECALL_AGENT is "${value}"; it must be on or off$`));
});

test('ROLECALL_AGENT_TTL: whole seconds, 900 by default, nothing setTimeout would fire at once', () => {
  assert.equal(agentTtlSeconds({}), 900);
  assert.equal(agentTtlSeconds({ ROLECALL_AGENT_TTL: '60' }), 60);
  for (const value of ['0', '-5', '1.5', '15m', ' 60', '99999999999']) assert.throws(() => agentTtlSeconds({ ROLECALL_AGENT_TTL: value }), /ROLECALL_AGENT_TTL is ".*"; it must be a whole number of seconds from 1 to \d+/, value);
});
