import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { agentPlace, MAX_SOCKET_PATH_BYTES, placeProblem, preparePlace } from '../../src/agent/agent-dir.js';

const root = mkdtempSync(join(tmpdir(), 'rolecall-agent-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const runtime = join(root, `r${n++}`);
  mkdirSync(runtime, { mode: 0o700 });
  return { runtime, place: agentPlace({ HOME: '/nonexistent', XDG_RUNTIME_DIR: runtime }) };
};

test('the place: $XDG_RUNTIME_DIR/rolecall when set and absolute, else under the state home', () => {
  assert.deepEqual(agentPlace({ HOME: '/home/a', XDG_RUNTIME_DIR: '/run/user/1000' }), { dir: '/run/user/1000/rolecall', socket: '/run/user/1000/rolecall/agent.sock', parents: ['/run/user/1000'] });
  for (const runtime of [undefined, '', 'run']) {
    const env = { HOME: '/home/a', ...(runtime === undefined ? {} : { XDG_RUNTIME_DIR: runtime }) };
    assert.equal(agentPlace(env).dir, '/home/a/.local/state/rolecall/agent', String(runtime));
  }
  assert.equal(agentPlace({ HOME: '/home/a', XDG_STATE_HOME: '/s' }).dir, '/s/rolecall/agent');
  assert.deepEqual(agentPlace({ HOME: '/home/a', XDG_STATE_HOME: '/s' }).parents, ['/s', '/s/rolecall']);
});

test('a missing directory is no problem, and preparePlace makes it 0700', () => {
  const { place } = fresh();
  assert.equal(placeProblem(place), undefined);
  preparePlace(place);
  assert.equal(placeProblem(place), undefined);
});

test('a directory open to others is refused, not tightened', () => {
  const { place } = fresh();
  mkdirSync(place.dir);
  for (const mode of [0o755, 0o750, 0o701, 0o777]) {
    chmodSync(place.dir, mode);
    assert.equal(placeProblem(place), `the agent's directory ${place.dir} is open to others (mode 0${mode.toString(8)}); it must be 0700`);
    assert.throws(() => preparePlace(place), /is open to others/);
  }
});

test('a symlink, even to a private directory of ours, is refused; so is a file', () => {
  const { runtime, place } = fresh();
  const elsewhere = join(runtime, 'elsewhere');
  mkdirSync(elsewhere, { mode: 0o700 });
  symlinkSync(elsewhere, place.dir);
  assert.equal(placeProblem(place), `the agent's directory ${place.dir} is a symbolic link; it must be a real directory`);
  const other = fresh();
  writeFileSync(other.place.dir, '');
  assert.equal(placeProblem(other.place), `the agent's directory ${other.place.dir} is not a directory`);
});

test('the socket must be a socket, and not open to others', async () => {
  const { place } = fresh();
  preparePlace(place);
  writeFileSync(place.socket, '', { mode: 0o600 });
  assert.equal(placeProblem(place), `the agent's socket ${place.socket} is not a socket`);
  rmSync(place.socket);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(place.socket, resolve));
  try {
    chmodSync(place.socket, 0o600);
    assert.equal(placeProblem(place), undefined);
    chmodSync(place.socket, 0o666);
    assert.match(placeProblem(place) ?? '', /agent\.sock is open to others \(mode 0666\); it must be 0600/);
  } finally {
    server.close();
  }
});

test('a socket path longer than a Unix socket allows is refused, saying what to do', () => {
  const long = join(root, 'x'.repeat(MAX_SOCKET_PATH_BYTES));
  const place = agentPlace({ HOME: '/h', XDG_RUNTIME_DIR: long });
  assert.match(placeProblem(place) ?? '', new RegExp(`^the agent's socket path .* is \\d+ bytes, more than the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows; set XDG_RUNTIME_DIR to a shorter directory$`));
});

// su without -: root's rolecall keeps the user's XDG_RUNTIME_DIR, whose owner could swap root's agent directory for her own.
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

test('XDG_RUNTIME_DIR owned by another user is refused, and nothing is made in it', { skip: !asRoot && 'chown needs root' }, () => {
  const { runtime, place } = fresh();
  chownSync(runtime, NOBODY, NOBODY);
  assert.equal(placeProblem(place), `the agent's parent directory ${runtime} is owned by uid ${NOBODY}, not by you (uid 0)`);
  assert.throws(() => preparePlace(place), /is owned by uid 65534, not by you/);
  assert.equal(existsSync(place.dir), false);
  // The agent's own directory, ours and 0700, does not make the parent safe.
  chownSync(runtime, 0, 0);
  mkdirSync(place.dir, { mode: 0o700 });
  chownSync(runtime, NOBODY, NOBODY);
  assert.match(placeProblem(place) ?? '', /parent directory .* is owned by uid 65534/);
});

test('XDG_RUNTIME_DIR writable by group or others, or a symlink, is refused; 0755 is not', () => {
  const { runtime, place } = fresh();
  for (const mode of [0o770, 0o707, 0o777, 0o1777]) {
    chmodSync(runtime, mode);
    assert.equal(placeProblem(place), `the agent's parent directory ${runtime} is writable by others (mode ${mode.toString(8).padStart(4, '0')}); it must not be`);
  }
  chmodSync(runtime, 0o755);
  assert.equal(placeProblem(place), undefined);
  preparePlace(place);
  const linked = join(root, `link${n++}`);
  symlinkSync(runtime, linked);
  assert.equal(placeProblem(agentPlace({ HOME: '/h', XDG_RUNTIME_DIR: linked })), `the agent's parent directory ${linked} is a symbolic link; it must be a real directory`);
});

test('without XDG_RUNTIME_DIR, each directory from the state home down must be yours alone', () => {
  const state = join(root, `state${n++}`);
  const place = agentPlace({ HOME: '/h', XDG_STATE_HOME: state });
  assert.equal(placeProblem(place), undefined, 'missing: made by preparePlace');
  preparePlace(place);
  assert.equal(placeProblem(place), undefined);
  chmodSync(join(state, 'rolecall'), 0o777);
  assert.equal(placeProblem(place), `the agent's parent directory ${join(state, 'rolecall')} is writable by others (mode 0777); it must not be`);
  chmodSync(join(state, 'rolecall'), 0o700);
  chmodSync(state, 0o775);
  assert.match(placeProblem(place) ?? '', /parent directory .*state\d+ is writable by others \(mode 0775\)/);
  chmodSync(state, 0o700);
  if (asRoot) {
    chownSync(state, NOBODY, NOBODY);
    assert.match(placeProblem(place) ?? '', /parent directory .*state\d+ is owned by uid 65534/);
    chownSync(state, 0, 0);
  }
});

test('the directories above must be yours or root\'s and writable by no one else, unless sticky like /tmp', () => {
  const above = join(root, `above${n++}`);
  const runtime = join(above, 'run');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const place = agentPlace({ HOME: '/h', XDG_RUNTIME_DIR: runtime });
  chmodSync(above, 0o777);
  assert.equal(placeProblem(place), `the agent's directory is under ${above}, writable by others (mode 0777)`);
  chmodSync(above, 0o1777);
  assert.equal(placeProblem(place), undefined);
  if (asRoot) {
    chmodSync(above, 0o755);
    chownSync(above, NOBODY, NOBODY);
    assert.equal(placeProblem(place), `the agent's directory is under ${above}, owned by uid ${NOBODY}, neither you (uid 0) nor root`);
  }
});
