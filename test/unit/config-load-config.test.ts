/**
 * A property of reading the two files and resolving their profiles: for
 * 10,000 generated config and credentials pairs (a seeded generator of ours:
 * valid and broken sections, keys and values, role chains and loops,
 * sso-session references, unicode, CRLF and bare CR, continuation lines,
 * comments, invalid UTF-8), configOfBytes and resolveProfile of every
 * profile (and of one that does not exist) either succeed or throw a
 * ConfigError, each within a bound; never anything else.
 *
 * A sample of 200 pairs is read by botocore too, in one python3 process
 * (Session.full_config, which is what the AWS CLI resolves profiles from):
 * where botocore fails to read a file, rolecall must refuse it; where it
 * reads one, rolecall must see the same profiles with the same keys and
 * values (sub-settings as botocore's dict). Where the two differ on purpose,
 * the comparison says so below.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/base/errors.js';
import { parseNestedValue } from '../../src/config/ini-parser.js';
import { configOfBytes, type LoadedConfig } from '../../src/config/load-config.js';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import { requirePeer } from '../helpers/peers.js';

const CASES = 10_000;
const BOTOCORE_SAMPLE = 200;
/** Each pair, parsing and every resolution, well under this: a case over it is a hang in the making (a regular expression gone quadratic). */
const CASE_BOUND_MS = 250;
const HOME = '/home/prop';
const PATHS = { config: `${HOME}/.aws/config`, credentials: `${HOME}/.aws/credentials` };

/** mulberry32: small, seeded, the same sequence on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Gen {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const NAMES = ['default', 'dev', 'prod', 'base', 'a', 'b', 'ci-deploy', 'Dev', 'dév', 'x y', '日本', 'a.b@c', 'p1'];
const SESSIONS = ['corp', 'other', 'x y', 'nope'];
const KEYS = [
  'region', 'role_arn', 'source_profile', 'credential_source', 'mfa_serial', 'mfa_process', 'external_id', 'role_session_name',
  'duration_seconds', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_security_token', 'credential_process',
  'sso_session', 'sso_account_id', 'sso_role_name', 'sso_start_url', 'sso_region', 'sso_registration_scopes', 'rolecall_share_sso_cache',
  'web_identity_token_file', 'output', 'Region', 'ROLE_ARN', 'source-profile', 'regoin', 'mfa_serail', 'kéy', 'İd',
];
/** White space of every kind botocore and Python see: \v, \f, U+0085, U+00A0, U+2028, U+3000 among them. */
const SPACES = [' ', ' ', '  ', '\t', '\u000b', '\u000c', '\u0085', '\u00a0', '\u2028', '\u3000', '\u001c'];

function value(g: Gen, key: string): string {
  const lower = key.toLowerCase();
  const valid: Record<string, () => string> = {
    region: () => g.pick(['eu-west-1', 'us-east-1', 'cn-north-1', 'eu west', '']),
    role_arn: () => g.pick(['arn:aws:iam::123456789012:role/Admin', 'arn:aws-cn:iam::123456789012:role/p/Ops', 'arn:aws:iam::1:role/x', 'not-an-arn', '']),
    source_profile: () => g.pick(NAMES),
    credential_source: () => g.pick(['Environment', 'Ec2InstanceMetadata', 'EcsContainer', 'ec2instancemetadata']),
    mfa_serial: () => g.pick(['arn:aws:iam::123456789012:mfa/alice', 'GAHT12345678', 'short', '']),
    mfa_process: () => g.pick(['ykman oath accounts code -s aws', 'echo 123456']),
    external_id: () => g.pick(['UniqueExternalId', 'a', 'abc  # note', 'x'.repeat(1225)]),
    role_session_name: () => g.pick(['alice', 'a', 'bad name', 's'.repeat(70)]),
    duration_seconds: () => g.pick(['3600', '900', '899', '43201', 'abc', '-1', '99999999999999999999', '３６００', '']),
    aws_access_key_id: () => g.pick(['AKIAIOSFODNN7EXAMPLE', 'ASIAIOSFODNN7EXAMPLE', '']),
    aws_secret_access_key: () => g.pick(['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '']),
    credential_process: () => g.pick(['/usr/bin/helper --json', "echo 'unclosed", '']),
    sso_session: () => g.pick(SESSIONS),
    sso_account_id: () => g.pick(['111122223333', '12345', 'abcdefghijkl']),
    sso_role_name: () => g.pick(['Dev', '']),
    sso_start_url: () => g.pick(['https://corp.awsapps.com/start', 'http://corp.awsapps.com/start', 'ftp://x', 'not a url']),
    sso_region: () => g.pick(['us-east-1', 'eu west', '']),
    rolecall_share_sso_cache: () => g.pick(['true', 'False', 'maybe']),
  };
  if (valid[lower] && g.chance(0.8)) return (valid[lower] as () => string)();
  return g.pick(['', 'x', 'é', '😀 emoji', 'a=b', 'a:b', ' lead', 'tab\there', '#not-a-comment', 'v ; note', 'v # note', '"quoted"', "it's", '\u202eevil', 'ünïcödé']);
}

function sectionHeader(g: Gen, kind: 'config' | 'credentials'): string {
  const name = g.pick(NAMES);
  if (kind === 'credentials') return g.chance(0.05) ? `[profile ${name}]` : `[${name}]`;
  switch (g.int(12)) {
    case 0:
      return '[default]';
    case 1:
      return `[sso-session ${g.pick(SESSIONS)}]`;
    case 2:
      return `[profile "${name}"]`;
    case 3:
      return `[profile '${name}']`;
    case 4:
      return `[${name}]`;
    case 5:
      return '[DEFAULT]';
    case 6:
      return `[profile ${name} extra]`;
    case 7:
      return `[profile]`;
    case 8:
      return `[sso-session "${g.pick(SESSIONS)}]`;
    default:
      return `[profile ${name}]`;
  }
}

/** One file's lines: mostly well-formed, with a broken line now and then. */
function file(g: Gen, kind: 'config' | 'credentials'): Uint8Array | undefined {
  if (g.chance(0.05)) return undefined;
  const lines: string[] = [];
  if (g.chance(0.03)) lines.push(g.pick(['region = eu-west-1', 'stray', '  indented']));
  const sections = g.int(6);
  const headers = new Set<string>();
  for (let s = 0; s < sections; s++) {
    if (g.chance(0.1)) lines.push(g.pick(['# comment', '; comment', '', '   ', '  # indented comment']));
    // A section or key twice is an error for both readers: now and then, not in most files.
    let header = sectionHeader(g, kind);
    while (headers.has(header) && !g.chance(0.05)) header = sectionHeader(g, kind);
    headers.add(header);
    lines.push(g.chance(0.03) ? g.pick(['[profile unclosed', '[]', '[ ]', ']', '[profile a]]', '[a] trailing']) : header);
    const keys = g.int(7);
    const used = new Set<string>();
    for (let k = 0; k < keys; k++) {
      let key = g.pick(KEYS);
      while (used.has(key.toLowerCase()) && !g.chance(0.05)) key = g.pick(KEYS);
      used.add(key.toLowerCase());
      const separator = g.pick(['=', ' = ', ':', ' : ', '=  ', `${g.pick(SPACES)}=${g.pick(SPACES)}`]);
      lines.push(`${g.chance(0.05) ? g.pick(SPACES) : ''}${key}${separator}${value(g, key)}${g.chance(0.05) ? g.pick(SPACES) : ''}`);
      if (g.chance(0.05)) lines.push(`${g.pick(['  ', '\t', ' '])}${g.pick(['continued', 'max_concurrent_requests = 10', 'no equals', ''])}`);
      if (g.chance(0.03)) lines.push(g.pick(['', '# between', 'garbage line', '= no key', ':', 'ключ = значение']));
    }
    if (g.chance(0.04)) lines.push(g.pick(['s3 =', 's3=']), '  max_concurrent_requests = 20', g.chance(0.5) ? '  addressing_style = path' : '  broken');
  }
  const newline = g.pick(['\n', '\n', '\n', '\r\n', '\r']);
  let text = lines.join(newline) + (g.chance(0.8) ? newline : '');
  if (g.chance(0.01)) text = `\ufeff${text}`;
  const bytes = Buffer.from(text, 'utf8');
  if (g.chance(0.02)) {
    // Invalid UTF-8 somewhere: a Latin-1 byte or a truncated sequence.
    const at = g.int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), Buffer.from([g.pick([0xe9, 0xff, 0xc3, 0x80])]), bytes.subarray(at)]);
  }
  return bytes;
}

interface Pair {
  readonly config: Uint8Array | undefined;
  readonly credentials: Uint8Array | undefined;
}

function pairs(): Pair[] {
  const g = new Gen(prng(12));
  return Array.from({ length: CASES }, () => ({ config: file(g, 'config'), credentials: file(g, 'credentials') }));
}

/** Only a ConfigError may come out of `body`; its result, or the error. */
function onlyConfigError<T>(what: string, body: () => T): T | ConfigError {
  try {
    return body();
  } catch (error) {
    if (error instanceof ConfigError) {
      assert.ok(!error.message.includes('\n'), `${what}: a one-line error, got ${JSON.stringify(error.message)}`);
      return error;
    }
    throw new Error(`${what}: ${(error as Error)?.stack ?? String(error)}`);
  }
}

function shown(pair: Pair): string {
  return `config ${JSON.stringify(pair.config && Buffer.from(pair.config).toString('utf8'))}, credentials ${JSON.stringify(pair.credentials && Buffer.from(pair.credentials).toString('utf8'))}`;
}

test(`${CASES} generated file pairs: parsing and resolving every profile throw nothing but a ConfigError, each case within ${CASE_BOUND_MS} ms`, () => {
  const all = pairs();
  const started = Date.now();
  let resolved = 0;
  let refused = 0;
  for (const pair of all) {
    const caseStart = performance.now();
    const config = onlyConfigError(`reading ${shown(pair)}`, () => configOfBytes(pair.config, pair.credentials, PATHS, { HOME }));
    if (!(config instanceof ConfigError)) {
      for (const profile of [...config.profiles.keys(), 'no-such-profile']) {
        const plan = onlyConfigError(`resolving ${JSON.stringify(profile)} of ${shown(pair)}`, () =>
          resolveProfile(config.profiles, { profile, env: { HOME }, paths: PATHS, ssoSessions: config.ssoSessions, userName: 'prop' }),
        );
        if (plan instanceof ConfigError) refused++;
        else resolved++;
      }
    }
    const took = performance.now() - caseStart;
    assert.ok(took < CASE_BOUND_MS, `${took.toFixed(0)} ms for ${shown(pair)}`);
  }
  // The generator must reach both sides of each rule, not only its errors.
  assert.ok(resolved > 1_000 && refused > 1_000, `resolved ${resolved}, refused ${refused}`);
  assert.ok(Date.now() - started < 20_000, 'the whole run takes seconds');
});

/** What botocore makes of each pair: its profiles' keys and values (sub-settings as dicts), or the name of its error. */
const BOTOCORE_READER = `
import json, sys
import botocore.session
out = []
for config, credentials in json.load(sys.stdin):
    session = botocore.session.Session()
    session.set_config_variable('config_file', config)
    session.set_config_variable('credentials_file', credentials)
    try:
        out.append({'profiles': session.full_config['profiles']})
    except Exception as e:
        out.append({'error': type(e).__name__})
json.dump(out, sys.stdout)
`;

type Values = Record<string, string | Record<string, string>>;

/** rolecall's profiles as botocore prints them: sub-settings parsed, every key of both files. */
function asBotocore(config: LoadedConfig): Record<string, Values> {
  const profiles: Record<string, Values> = {};
  for (const [name, profile] of config.profiles) {
    profiles[name] = Object.fromEntries(Object.entries(profile.values).map(([key, raw]) => [key, parseNestedValue(raw) ?? raw]));
  }
  return profiles;
}

test(`a sample of ${BOTOCORE_SAMPLE} pairs reads as botocore reads it`, (t) => {
  const python = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' });
  if (!requirePeer(t, python.status === 0, 'python3 with botocore is not on this machine')) return;
  const sample = pairs().filter((_, index) => index % (CASES / BOTOCORE_SAMPLE) === 0);
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-prop-'));
  try {
    const paths = sample.map((pair, index) => {
      const write = (bytes: Uint8Array | undefined, name: string) => {
        const path = join(dir, `${index}-${name}`);
        if (bytes !== undefined) writeFileSync(path, bytes);
        return path;
      };
      return [write(pair.config, 'config'), write(pair.credentials, 'credentials')];
    });
    // UTF-8 whatever the locale: Python's open() would read the files in the locale's encoding.
    const run = spawnSync('python3', ['-c', BOTOCORE_READER], { input: JSON.stringify(paths), encoding: 'utf8', env: { ...process.env, PYTHONUTF8: '1' }, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    const botocore = JSON.parse(run.stdout) as ({ profiles: Record<string, Values> } | { error: string })[];
    let compared = 0;
    sample.forEach((pair, index) => {
      const theirs = botocore[index];
      const ours = onlyConfigError(shown(pair), () => configOfBytes(pair.config, pair.credentials, { config: paths[index]![0]!, credentials: paths[index]![1]! }, { HOME }));
      const where = `pair ${index}: ${shown(pair)}`;
      if (!theirs || 'error' in theirs) {
        assert.ok(ours instanceof ConfigError, `botocore refuses it (${theirs && 'error' in theirs ? theirs.error : 'no answer'}), rolecall read it: ${where}`);
        return;
      }
      assert.ok(!(ours instanceof ConfigError), `botocore reads it, rolecall refused it (${ours instanceof ConfigError ? ours.message : ''}): ${where}`);
      assert.deepEqual(asBotocore(ours), theirs.profiles, where);
      compared++;
    });
    // Both branches taken: files botocore reads and files it refuses.
    assert.ok(compared > BOTOCORE_SAMPLE / 4 && compared < BOTOCORE_SAMPLE, `${compared} read by both`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
