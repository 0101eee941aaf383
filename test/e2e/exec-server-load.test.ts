/**
 * `rolecall exec --server` under load, from the child's side of the port:
 * 200 requests with the token, 200 without it and 200 with a wrong one, all
 * at once, beside slow clients that open a connection and never finish their
 * request, and ones that send their headers a byte at a time; meanwhile the
 * AWS CLI in the child asks the server for its credentials as it would. The
 * child's requests are all answered with the session in bounded time; the
 * refused ones get 401 or 403 with an empty body, and no byte any refused or
 * slow client received holds the session's secret, its token or the
 * server's token; the slow ones are closed by the server. Peers: moto behind
 * the recording proxy, the AWS CLI, and raw sockets of ours (node:net) for
 * what no SDK sends.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { CALLER_ARN, credentialsFile, randomKeys, rolesOverBase, stsWorldForSuite } from '../helpers/sts-world.js';

const EACH = 200;
const SLOW = 50;
const DRIP = 20;

/**
 * The child: every client on raw sockets, so every byte it receives is kept;
 * then one line of JSON saying what each kind of client got.
 */
const LOAD = `
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
const url = new URL(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
const token = process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
const port = Number(url.port);
const request = (auth) => 'GET ' + url.pathname + ' HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n' + (auth === undefined ? '' : 'Authorization: ' + auth + '\\r\\n') + 'Connection: close\\r\\n\\r\\n';
const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

/** Sends \`text\` (all at once, or a byte every 100 ms); resolves when the server closes, with every byte it sent. */
function client(text, { drip = false, finish = true } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let error;
    let timer;
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (e) => (error = e.code));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), ms: Date.now() - started, error });
    });
    if (!drip) socket.write(finish ? text : text.slice(0, -4));
    else {
      let i = 0;
      // Never the blank line that ends the headers: the request is never finished.
      timer = setInterval(() => i < text.length - 4 && !socket.destroyed && socket.write(text[i++]), 100);
    }
  });
}

function awsCli() {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('aws', ${JSON.stringify(CALLER_ARN.slice(1))}, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (status) => resolve({ status, arn: out.trim(), stderr: err, ms: Date.now() - started }));
  });
}

const slow = Array.from({ length: ${SLOW} }, () => client(request(token), { finish: false }));
const drip = Array.from({ length: ${DRIP} }, () => client(request(undefined), { drip: true }));
await new Promise((resolve) => setTimeout(resolve, 300));
const [cli, right, none, wrongs] = await Promise.all([
  awsCli(),
  Promise.all(Array.from({ length: ${EACH} }, () => client(request(token)))),
  Promise.all(Array.from({ length: ${EACH} }, () => client(request(undefined)))),
  Promise.all(Array.from({ length: ${EACH} }, () => client(request(wrong)))),
]);
const cliAgain = await awsCli();
const slowDone = await Promise.all(slow);
const dripDone = await Promise.all(drip);
console.log(JSON.stringify({ cli, cliAgain, right, none, wrongs, slow: slowDone, drip: dripDone }));
`;

interface Received {
  readonly text: string;
  readonly ms: number;
  readonly error?: string;
}

interface Cli {
  readonly status: number;
  readonly arn: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The status line's code and the body of an HTTP/1.1 answer. */
function parsed(received: Received): { status: number; headers: string; body: string } {
  const end = received.text.indexOf('\r\n\r\n');
  const head = end === -1 ? received.text : received.text.slice(0, end);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: end === -1 ? '' : received.text.slice(end + 4) };
}

describe('rolecall exec --server under load', () => {
  const suite = stsWorldForSuite();

  test(`${EACH} requests each with, without and with a wrong token at once, and ${SLOW + DRIP} slow clients: the child is answered, the refused learn nothing`, async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    box.write('.aws/config', rolesOverBase({ app: 'App' }));
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
    box.write('load.mjs', LOAD);
    const printToken = `printf '%s\\n' "$AWS_CONTAINER_AUTHORIZATION_TOKEN" >&2`;
    const run = await runRolecall(box, ['exec', '--server', 'app', '--', 'sh', '-c', `${printToken}; exec "${process.execPath}" "$HOME/load.mjs"`], { timeoutMs: 90_000 });
    assert.equal(run.status, 0, run.stderr);
    const serverToken = run.stderr.split('\n')[0] as string;
    assert.ok(serverToken.length >= 43, run.stderr);
    const out = JSON.parse(run.stdout) as { cli: Cli; cliAgain: Cli; right: Received[]; none: Received[]; wrongs: Received[]; slow: Received[]; drip: Received[] };

    // The child's own requests: the AWS CLI during the flood and after it, and every request with the token.
    for (const cli of [out.cli, out.cliAgain]) {
      assert.equal(cli.status, 0, cli.stderr);
      assert.match(cli.arn, /^arn:aws:sts::123456789012:assumed-role\/App\//);
      assert.ok(cli.ms < 20_000, `the AWS CLI took ${cli.ms} ms`);
    }
    const answers = out.right.map(parsed);
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200], 'every request with the token answered');
    const sessions = answers.map((a) => JSON.parse(a.body) as { AccessKeyId: string; SecretAccessKey: string; Token: string });
    const keyIds = new Set(sessions.map((s) => s.AccessKeyId));
    assert.equal(keyIds.size, 1, 'one session for all: the requests that overlapped shared one fetch');
    const { AccessKeyId, SecretAccessKey, Token } = sessions[0] as { AccessKeyId: string; SecretAccessKey: string; Token: string };
    assert.match(AccessKeyId, /^ASIA/);
    const slowest = Math.max(...out.right.map((r) => r.ms));
    assert.ok(slowest < 15_000, `the slowest answer with the token took ${slowest} ms`);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1, 'one AssumeRole for every request');

    // The refused: 401 without the token, 403 with a wrong one, an empty body, and nothing of the session or the token.
    const canaries = [SecretAccessKey, Token, AccessKeyId, serverToken];
    const refusedBytes = [...out.none, ...out.wrongs, ...out.slow, ...out.drip].map((r) => r.text);
    for (const [name, list, status] of [['without the token', out.none, 401], ['with a wrong token', out.wrongs, 403]] as const) {
      const got = list.map(parsed);
      assert.deepEqual([...new Set(got.map((a) => a.status))], [status], name);
      assert.deepEqual([...new Set(got.map((a) => a.body))], [''], `${name}: an empty body`);
      assert.ok(got.every((a) => /^content-length: 0$/im.test(a.headers)), name);
    }
    for (const canary of canaries) assert.ok(!refusedBytes.some((text) => text.includes(canary)), 'no refused or slow client received a byte of the session or the token');

    // The slow: closed by the server, without an answer to a request they never finished.
    for (const [name, list] of [['never finished', out.slow], ['a byte at a time', out.drip]] as const) {
      const longest = Math.max(...list.map((r) => r.ms));
      // 5 s for a whole request, looked at every second (src/exec/credential-server.ts); Node's default look, every 30 s, kept them 30 s.
      assert.ok(longest < 10_000, `${name}: the last was closed after ${longest} ms`);
      for (const r of list) assert.match(r.text, /^(HTTP\/1\.1 408 Request Timeout\r\n|$)/, `${name}: a 408 or nothing`);
    }
    assert.doesNotMatch(run.stderr, /credential server: no session/);
  });
});
