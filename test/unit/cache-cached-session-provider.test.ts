/**
 * The cache wrapper with a memory vault and fake STS steps (fakes: they count
 * their calls). A "process" here is a fresh chain of providers over the same
 * vault, as the next `rolecall exec` would build.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CachedSessionProvider, CacheSettings } from '../../src/cache/cached-session-provider.js';
import { SessionStore } from '../../src/cache/session-store.js';
import type { AssumeRoleStep, Plan, SessionTokenStep } from '../../src/config/plan.js';
import { buildPipeline, keysLink, processLink, stepLink, type Link } from '../../src/pipeline/build-pipeline.js';
import { commandContext } from '../../src/pipeline/command-context.js';
import type { CredentialProvider, Credentials } from '../../src/config/credentials.js';
import { ProcessProvider } from '../../src/credentials/process-provider.js';
import { ProfileKeysProvider } from '../../src/credentials/source-providers.js';
import { enableDebug } from '../../src/log/debug-log.js';
import { MemoryVault } from '../../src/vault/memory-vault.js';
import { SESSIONS_SERVICE, type Vault } from '../../src/vault/vault.js';

const HOUR = 3_600_000;
const MFA = { serial: 'arn:aws:iam::123456789012:mfa/alice', profile: 'base' };
const MFA_SESSION: SessionTokenStep = { kind: 'sessionToken', profile: 'base', durationSeconds: 28_800, mfa: MFA };
const READER: AssumeRoleStep = { kind: 'assumeRole', profile: 'reader', roleArn: 'arn:aws:iam::123456789012:role/Reader', sessionName: 'alice', durationSeconds: 3600 };
const WRITER: AssumeRoleStep = { ...READER, profile: 'writer', roleArn: 'arn:aws:iam::123456789012:role/Writer' };
// Nothing listens on the discard port: a real STS call from a test would fail.
const TARGET = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' };

/** Fake STS step: calls its caller as the real one does, then makes up a session. */
class FakeStsStep implements CredentialProvider {
  calls = 0;
  constructor(
    readonly description: string,
    private readonly caller: CredentialProvider,
    private readonly clock: Clock,
    private readonly lifetimeMs = HOUR,
  ) {}
  async retrieve(): Promise<Credentials> {
    await this.caller.retrieve();
    this.calls++;
    return { accessKeyId: `ASIA${this.description}${this.calls}`, secretAccessKey: `secret-${this.description}-${this.calls}`, sessionToken: 'token', expiration: new Date(this.clock.now + this.lifetimeMs) };
  }
}

class CountingKeys extends ProfileKeysProvider {
  reads = 0;
  override async retrieve(): Promise<Credentials> {
    this.reads++;
    return super.retrieve();
  }
}

interface Clock {
  now: number;
}

function settingsFor(vault: Vault | (() => Promise<Vault>), clock: Clock, minTtlMs = 5 * 60_000): CacheSettings {
  const open = typeof vault === 'function' ? vault : async () => vault;
  return {
    store: new SessionStore(open, () => clock.now),
    minTtlMs,
    lockTimeoutMs: 5_000,
    locksDirectory: join(mkdtempSync(join(tmpdir(), 'rolecall-unit-')), 'locks'),
    now: () => clock.now,
  };
}

/** base keys -> MFA session -> role, as one process builds it. */
function chain(settings: CacheSettings, clock: Clock, role = READER, baseKeyId = 'AKIABASE') {
  const source = new CountingKeys('base', { accessKeyId: baseKeyId, secretAccessKey: 'base-secret-value' }, undefined);
  const mfaInner = new FakeStsStep('GST', source, clock);
  const mfa = stepLink(MFA_SESSION, mfaInner, keysLink(source), TARGET, settings);
  const roleInner = new FakeStsStep('AR', mfa.provider, clock);
  const top = stepLink(role, roleInner, mfa, TARGET, settings).provider as CachedSessionProvider;
  return { source, mfaInner, roleInner, top };
}

function captureStderr(): { lines: () => string[]; restore: () => void } {
  const original = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  return { lines: () => text.split('\n').filter(Boolean), restore: () => void (process.stderr.write = original) };
}

test('a warm hit on the top step retrieves nothing below it but the local base key id', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.parse('2030-01-01T09:00:00Z') };
  const cold = chain(settingsFor(vault, clock), clock);
  const first = await cold.top.retrieve();
  assert.equal(cold.roleInner.calls, 1);
  assert.equal(cold.mfaInner.calls, 1);
  assert.equal((await vault.list(SESSIONS_SERVICE)).length, 2);

  clock.now += 10 * 60_000;
  const warm = chain(settingsFor(vault, clock), clock);
  const stderr = captureStderr();
  enableDebug(true);
  let again;
  try {
    again = await warm.top.retrieve();
  } finally {
    enableDebug(false);
    stderr.restore();
  }
  assert.deepEqual(again, first);
  assert.equal(warm.roleInner.calls, 0);
  assert.equal(warm.mfaInner.calls, 0, 'the MFA step was not even asked');
  assert.equal(warm.source.reads, 1, 'only to name the chain');
  assert.ok(stderr.lines().some((line) => /AR: cached, expires in 50m \+\d+ms$/.test(line)), stderr.lines().join('\n'));
});

test('a second role over the same keys and MFA device reuses the MFA session', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  await chain(settingsFor(vault, clock), clock, READER).top.retrieve();
  const writer = chain(settingsFor(vault, clock), clock, WRITER);
  await writer.top.retrieve();
  assert.equal(writer.roleInner.calls, 1);
  assert.equal(writer.mfaInner.calls, 0);
});

test('rotated base keys never get the sessions of the old ones', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  await chain(settingsFor(vault, clock), clock, READER, 'AKIAOLD').top.retrieve();
  const rotated = chain(settingsFor(vault, clock), clock, READER, 'AKIANEW');
  await rotated.top.retrieve();
  assert.equal(rotated.roleInner.calls, 1);
  assert.equal(rotated.mfaInner.calls, 1);
});

test('less than the minimum TTL left: refreshed, and the new session replaces the old', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  const first = await chain(settingsFor(vault, clock), clock).top.retrieve();
  clock.now += HOUR - 4 * 60_000; // 4 minutes left of the role; the MFA session (fake: 1h) too
  const later = chain(settingsFor(vault, clock), clock);
  const second = await later.top.retrieve();
  assert.ok((second.expiration?.getTime() ?? 0) > (first.expiration?.getTime() ?? 0), 'a new session, with a later expiry');
  assert.equal(later.roleInner.calls, 1);
  assert.equal((await vault.list(SESSIONS_SERVICE)).length, 2);
  const generous = chain(settingsFor(vault, clock, 60_000), clock);
  await generous.top.retrieve();
  assert.equal(generous.roleInner.calls, 0, 'a smaller ROLECALL_MIN_TTL keeps it');
});

test('an expired entry is purged when seen', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  const settings = settingsFor(vault, clock);
  const cold = chain(settings, clock);
  await cold.top.retrieve();
  const account = await cold.top.cacheAccount();
  clock.now += 2 * HOUR;
  assert.equal(await new SessionStore(async () => vault, () => clock.now).fresh(account, 0), undefined);
  assert.equal(await vault.get(SESSIONS_SERVICE, account), undefined);
});

test('an entry that cannot be read or decoded is a miss and is replaced', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  const cold = chain(settingsFor(vault, clock), clock);
  await cold.top.retrieve();
  const account = await cold.top.cacheAccount();
  await vault.set(SESSIONS_SERVICE, account, '{"version":1,"garbage":');
  const next = chain(settingsFor(vault, clock), clock);
  await next.top.retrieve();
  assert.equal(next.roleInner.calls, 1);
  assert.match((await vault.get(SESSIONS_SERVICE, account)) ?? '', /"version":1,"profile":"reader"/);

  // A vault that throws on get (cannot decrypt) is a miss too.
  const broken = Object.assign(new MemoryVault(), { get: async () => Promise.reject(new Error('cannot decrypt')) });
  const third = chain(settingsFor(broken, clock), clock);
  await third.top.retrieve();
  assert.equal(third.roleInner.calls, 1);
});

test('a cache that cannot be written or opened costs one warning line, not the credentials', async () => {
  const clock = { now: Date.now() };
  for (const settings of [
    settingsFor(Object.assign(new MemoryVault(), { set: async () => Promise.reject(new Error('disk full')) }), clock),
    settingsFor(() => Promise.reject(new Error('no keychain and no passphrase')), clock),
  ]) {
    const stderr = captureStderr();
    let credentials;
    try {
      credentials = await chain(settings, clock).top.retrieve();
    } finally {
      stderr.restore();
    }
    assert.match(credentials.accessKeyId, /^ASIAAR/);
    assert.equal(stderr.lines().length, 1, stderr.lines().join('\n'));
    assert.match(stderr.lines()[0] as string, /^rolecall: warning: the session of profile "base" was not cached: (disk full|no keychain and no passphrase)$/);
  }
});

test('a session without an expiry is not cached', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  const source = new ProfileKeysProvider('base', { accessKeyId: 'AKIA1', secretAccessKey: 'x-secret' }, undefined);
  const forever: CredentialProvider = { description: 'odd', retrieve: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) };
  await stepLink(READER, forever, keysLink(source), TARGET, settingsFor(vault, clock)).provider.retrieve();
  assert.deepEqual(await vault.list(SESSIONS_SERVICE), []);
});

test('a credential_process source is named by its command, not run, on a warm hit', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  const processSource = (command: string) => ({ kind: 'process' as const, profile: 'proc', command });
  const link = (command: string, settings: CacheSettings): Link => processLink(processSource(command), new ProcessProvider('proc', command, {}), settings);
  const settings = settingsFor(vault, clock);
  const fake = new FakeStsStep('AR', { description: 'nothing', retrieve: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) }, clock);
  await stepLink(READER, fake, link('false', settings), TARGET, settings).provider.retrieve();
  const warmSettings = settingsFor(vault, clock);
  const warmSource = link('false', warmSettings);
  const warmFake = new FakeStsStep('AR', warmSource.provider, clock);
  await stepLink(READER, warmFake, warmSource, TARGET, warmSettings).provider.retrieve();
  assert.equal(warmFake.calls, 0, 'the process (`false`, which fails) was never run');
  const other = new FakeStsStep('AR', { description: 'nothing', retrieve: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) }, clock);
  const otherSettings = settingsFor(vault, clock);
  await stepLink(READER, other, link('other-command', otherSettings), TARGET, otherSettings).provider.retrieve();
  assert.equal(other.calls, 1, 'another command is another source');
});

test('through buildPipeline: a warm chain makes no STS call', async () => {
  const vault = new MemoryVault();
  const clock = { now: Date.now() };
  await chain(settingsFor(vault, clock), clock).top.retrieve();
  const plan: Plan = {
    profile: 'reader',
    region: 'eu-west-1',
    stsRegion: 'eu-west-1',
    source: { kind: 'profileKeys', profile: 'base', fileKeys: { accessKeyId: 'AKIABASE', secretAccessKey: 'base-secret-value' } },
    steps: [MFA_SESSION, READER],
    notes: [],
  };
  const env = { HOME: mkdtempSync(join(tmpdir(), 'rolecall-unit-')) };
  const provider = buildPipeline(plan, TARGET, commandContext(env, { openVault: async () => vault }));
  // A miss would call STS at 127.0.0.1:9 (or ask for an MFA code) and fail.
  const credentials = await provider.retrieve();
  assert.equal(credentials.accessKeyId, 'ASIAAR1');
});

test('ROLECALL_MIN_TTL that is not a number of seconds is a one-line error', async () => {
  assert.throws(() => commandContext({ ROLECALL_MIN_TTL: '5m' }), /^RolecallError: ROLECALL_MIN_TTL is "5m"; it must be a whole number of seconds$/);
});

test('a credential_process whose output expires runs once; one without an expiry runs every time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-unit-'));
  const vault = new MemoryVault();
  const env = { HOME: dir };
  const script = (expiring: boolean) => {
    const path = join(dir, `process-${expiring}.sh`);
    const expiration = expiring ? `,"Expiration":"${new Date(Date.now() + HOUR).toISOString()}"` : '';
    writeFileSync(path, `echo run >> "${dir}/runs-${expiring}"\necho '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"process-secret","SessionToken":"t"${expiration}}'\n`);
    return `sh ${path}`;
  };
  for (const expiring of [true, false]) {
    const source = { kind: 'process' as const, profile: 'proc', command: script(expiring) };
    for (let round = 0; round < 2; round++) {
      const plan: Plan = { profile: 'proc', stsRegion: 'eu-west-1', source, steps: [], notes: [] };
      const credentials = await buildPipeline(plan, TARGET, commandContext(env, { openVault: async () => vault })).retrieve();
      assert.equal(credentials.accessKeyId, 'ASIAPROC');
    }
    assert.equal(readFileSync(join(dir, `runs-${expiring}`), 'utf8'), expiring ? 'run\n' : 'run\nrun\n');
  }
  const keysPlan: Plan = { profile: 'base', stsRegion: 'eu-west-1', source: { kind: 'profileKeys', profile: 'base' }, steps: [], notes: [] };
  assert.equal(buildPipeline(keysPlan, TARGET, commandContext(env, { openVault: async () => vault })).description, 'keys of profile "base"', 'other sources are not wrapped');
});
