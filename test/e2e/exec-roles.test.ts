/**
 * rolecall exec against moto, with the AWS CLI as the child: the ARN it
 * prints is the role at the end of the chain, and the recording proxy shows
 * what was asked of STS.
 */
import assert from 'node:assert/strict';
import { spawnOnTerminal } from '../helpers/pseudo-terminal.js';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { rolecallBin, runRolecall } from '../helpers/sandbox.js';
import { CALLER_ARN, credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';

const MFA = 'arn:aws:iam::123456789012:mfa/alice';
const CONFIG = `
[profile base]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = base
region = eu-central-1

[profile deep]
role_arn = arn:aws:iam::210987654321:role/Deep
source_profile = admin
region = us-west-2

[profile partner]
role_arn = arn:aws:iam::999999999999:role/CrossAccountRole
source_profile = base
external_id = UniqueExternalId
region = us-east-1

[profile mfa-admin]
role_arn = arn:aws:iam::123456789012:role/MfaAdmin
source_profile = base
mfa_serial = ${MFA}
region = us-east-1

[profile mfa-process]
role_arn = arn:aws:iam::123456789012:role/MfaProcess
source_profile = base
mfa_serial = ${MFA}
mfa_process = sh "$HOME/mfa.sh"
region = us-east-1

[profile from-env]
role_arn = arn:aws:iam::123456789012:role/FromEnv
credential_source = Environment
region = us-east-1

[profile from-imds]
role_arn = arn:aws:iam::123456789012:role/FromImds
credential_source = Ec2InstanceMetadata
region = us-east-1

[profile from-ecs]
role_arn = arn:aws:iam::123456789012:role/FromEcs
credential_source = EcsContainer
region = us-east-1
`;

describe('rolecall exec against moto', { concurrency: false }, () => {
  let world: StsWorld;
  const base = randomKeys();
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());
  beforeEach(() => world?.proxy.reset());

  function box(extraEnv: Record<string, string> = {}) {
    const sandbox = world.sandbox(extraEnv);
    sandbox.write('.aws/config', CONFIG);
    sandbox.write('.aws/credentials', credentialsFile({ base }));
    return sandbox;
  }

  test('one role: the child is the role', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const result = await runRolecall(box(), ['exec', 'admin', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'arn:aws:sts::123456789012:assumed-role/Admin/' + sessionNameIn(world));
    const [call] = world.proxy.calls.filter((c) => c.action === 'AssumeRole');
    assert.equal(call?.signedWith, base.accessKeyId, 'AssumeRole is signed with the base keys');
    assert.equal(call?.params.DurationSeconds, '3600');
    assert.equal(call?.region, 'eu-central-1', "STS is called in the profile's own region");
  });

  test('two-hop chain: the child is the second role', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const result = await runRolecall(box(), ['exec', 'deep', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /^arn:aws:sts::210987654321:assumed-role\/Deep\//);
    const roles = world.proxy.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.params.RoleArn);
    assert.deepEqual(roles, ['arn:aws:iam::123456789012:role/Admin', 'arn:aws:iam::210987654321:role/Deep']);
    const second = world.proxy.calls.filter((c) => c.action === 'AssumeRole')[1];
    assert.notEqual(second?.signedWith, base.accessKeyId, 'the second hop is signed with the first role');
  });

  test('external_id goes on the AssumeRole call', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const result = await runRolecall(box(), ['exec', 'partner', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /^arn:aws:sts::999999999999:assumed-role\/CrossAccountRole\//);
    assert.equal(world.proxy.calls.find((c) => c.action === 'AssumeRole')?.params.ExternalId, 'UniqueExternalId');
  });

  test('MFA with --mfa-token: one GetSessionToken with the code, then AssumeRole without it', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const result = await runRolecall(box(), ['exec', '--mfa-token', '246810', 'mfa-admin', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /assumed-role\/MfaAdmin\//);
    const [session, role] = world.proxy.calls;
    assert.equal(session?.action, 'GetSessionToken');
    assert.equal(session?.params.SerialNumber, MFA);
    assert.equal(session?.params.TokenCode, '246810');
    assert.equal(session?.signedWith, base.accessKeyId);
    assert.equal(role?.action, 'AssumeRole');
    assert.equal(role?.params.TokenCode, undefined, 'the role call carries no code');
    assert.notEqual(role?.signedWith, base.accessKeyId, 'the role is assumed with the MFA session');
  });

  test('MFA with --no-session: the code goes on the role call itself', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const result = await runRolecall(box(), ['exec', '--no-session', '--mfa-token', '135790', 'mfa-admin', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(world.proxy.calls.map((c) => c.action), ['AssumeRole', 'GetCallerIdentity']);
    assert.equal(world.proxy.calls[0]?.params.SerialNumber, MFA);
    assert.equal(world.proxy.calls[0]?.params.TokenCode, '135790');
  });

  test('MFA from mfa_process: its stdout is the code, run once', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const counter = join(sandbox.home, 'mfa-runs');
    sandbox.write('mfa.sh', `echo run >> "${counter}"\necho 424242\n`);
    const result = await runRolecall(sandbox, ['exec', 'mfa-process', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /assumed-role\/MfaProcess\//);
    assert.equal(readFileSync(counter, 'utf8'), 'run\n');
    assert.equal(world.proxy.calls.find((c) => c.action === 'GetSessionToken')?.params.TokenCode, '424242');
  });

  test('a code that is not six digits is refused before any call', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    sandbox.write('mfa.sh', 'echo abc123\n');
    const result = await runRolecall(sandbox, ['exec', 'mfa-process', '--', 'true']);
    assert.equal(result.status, 125);
    assert.match(result.stderr, /not six digits/);
    assert.equal(world.proxy.calls.length, 0);
    const flag = await runRolecall(sandbox, ['exec', '--mfa-token', '12345', 'mfa-admin', '--', 'true']);
    assert.equal(flag.status, 125);
    assert.equal(world.proxy.calls.length, 0);
  });

  test('MFA with no terminal and no code source is a clear error', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'setsid')) return;
    const sandbox = box();
    // setsid: no controlling terminal, as under cron or CI.
    const result = await runRolecallDetached(sandbox, ['exec', 'mfa-admin', '--', 'true']);
    assert.equal(result.status, 125);
    assert.match(result.stderr, /no terminal to ask on; pass --mfa-token CODE or set mfa_process/);
    assert.equal(world.proxy.calls.length, 0);
  });

  test('MFA from a prompt on the terminal', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'script')) return;
    const sandbox = box();
    // script(1) gives rolecall a real pseudo-terminal; the code is typed into it.
    const command = [process.execPath, rolecallBin, 'exec', 'mfa-admin', '--', ...CALLER_ARN];
    // The first answer is a typo (five digits): rolecall asks again.
    const result = await typeAtPrompts(command, sandbox.env, sandbox.home, ['86421\n', '864213\n']);
    assert.match(result.stdout, /an MFA code is six digits; try again/);
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /MFA code for arn:aws:iam::123456789012:mfa\/alice: /);
    assert.match(result.stdout, /assumed-role\/MfaAdmin\//);
    assert.equal(world.proxy.calls.find((c) => c.action === 'GetSessionToken')?.params.TokenCode, '864213');
  });

  test('credential_source = Environment uses the keys in the environment', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const envKeys = randomKeys();
    const sandbox = box({ AWS_ACCESS_KEY_ID: envKeys.accessKeyId, AWS_SECRET_ACCESS_KEY: envKeys.secretAccessKey });
    const result = await runRolecall(sandbox, ['exec', 'from-env', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /assumed-role\/FromEnv\//);
    assert.equal(world.proxy.calls.find((c) => c.action === 'AssumeRole')?.signedWith, envKeys.accessKeyId);
  });

  test('credential_source = Ec2InstanceMetadata uses IMDSv2 at AWS_EC2_METADATA_SERVICE_ENDPOINT', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box({ AWS_EC2_METADATA_SERVICE_ENDPOINT: world.moto.url, AWS_EC2_METADATA_DISABLED: 'false' });
    const result = await runRolecall(sandbox, ['exec', 'from-imds', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /assumed-role\/FromImds\//);
    // moto's metadata server hands out the key id "test-key".
    assert.equal(world.proxy.calls.find((c) => c.action === 'AssumeRole')?.signedWith, 'test-key');
  });

  test('credential_source = EcsContainer uses the container endpoint at AWS_CONTAINER_CREDENTIALS_FULL_URI', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const agent = await startFakeEcsAgent(randomKeys());
    t.after(() => agent.stop());
    const sandbox = box({ AWS_CONTAINER_CREDENTIALS_FULL_URI: agent.url });
    const result = await runRolecall(sandbox, ['exec', 'from-ecs', '--', ...CALLER_ARN]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/FromEcs\//);
    assert.ok(agent.requests() > 0, 'rolecall asked the container endpoint');
    assert.equal(world.proxy.calls.find((c) => c.action === 'AssumeRole')?.signedWith, agent.keys.accessKeyId, 'the role is assumed with the container keys');
  });

  test('AWS_ENDPOINT_URL alone (no AWS_ENDPOINT_URL_STS) is where STS is called, and a session of another endpoint is not reused', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    delete sandbox.env.AWS_ENDPOINT_URL_STS;
    // First straight to moto, past the recording proxy: a session cached for that endpoint.
    const direct = await runRolecall(sandbox, ['exec', 'admin', '--', 'true'], { env: { AWS_ENDPOINT_URL: world.moto.url } });
    assert.equal(direct.status, 0, direct.stderr);
    assert.equal(world.proxy.calls.length, 0);
    // (The SDK alone would also read AWS_ENDPOINT_URL; rolecall must know it too, to name it and key its cache by it.)
    const result = await runRolecall(sandbox, ['exec', '--debug', 'admin', '--', ...CALLER_ARN], { env: { AWS_ENDPOINT_URL: world.proxy.url } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Admin\//);
    assert.ok(result.stderr.includes(`AssumeRole arn:aws:iam::123456789012:role/Admin`) && result.stderr.includes(`at ${world.proxy.url}`), result.stderr);
    assert.equal(world.proxy.calls.find((c) => c.action === 'AssumeRole')?.signedWith, base.accessKeyId, 'a new session from the new endpoint, not the cached one');
  });

  test('a keys profile gets a GetSessionToken session; --no-session passes the keys', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const session = await runRolecall(sandbox, ['exec', 'base', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID $AWS_SESSION_TOKEN"']);
    assert.equal(session.status, 0, session.stderr);
    const [keyId, token] = session.stdout.trim().split(' ');
    assert.notEqual(keyId, base.accessKeyId, 'the long-term key never reaches the child');
    assert.ok(token, 'a session token is set');
    assert.equal(world.proxy.count('GetSessionToken'), 1);
    const raw = await runRolecall(sandbox, ['exec', '--no-session', 'base', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID ${AWS_SESSION_TOKEN-unset}"']);
    assert.equal(raw.stdout.trim(), `${base.accessKeyId} unset`);
    assert.equal(world.proxy.count('GetSessionToken'), 1, '--no-session makes no call');
  });

  test('--duration sets the last session; out of range is refused before any call; a chained role is capped at 1h', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const two = await runRolecall(sandbox, ['exec', '--duration', '2h', 'admin', '--', 'true']);
    assert.equal(two.status, 0, two.stderr);
    assert.equal(world.proxy.calls.find((c) => c.action === 'AssumeRole')?.params.DurationSeconds, '7200');

    world.proxy.reset();
    const tooLong = await runRolecall(sandbox, ['exec', '--duration', '13h', 'admin', '--', 'true']);
    assert.equal(tooLong.status, 125);
    assert.match(tooLong.stderr, /STS allows 900s to 43200s/);
    const tooShort = await runRolecall(sandbox, ['exec', '--duration', '10m', 'admin', '--', 'true']);
    assert.equal(tooShort.status, 125);
    assert.equal(world.proxy.calls.length, 0);

    const chained = await runRolecall(sandbox, ['exec', '--duration', '2h', 'deep', '--', 'true']);
    assert.equal(chained.status, 0, chained.stderr);
    assert.match(chained.stderr, /role chaining.*1h/);
    assert.equal(chained.stderr.trim().split('\n').length, 1, 'the note is one line');
    const durations = world.proxy.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.params.DurationSeconds);
    assert.deepEqual(durations, ['3600', '3600']);
  });

  test('region: --region, then AWS_REGION, then the profile, for the STS call and the child', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const print = ['--', 'sh', '-c', 'echo "$AWS_REGION $AWS_DEFAULT_REGION"'];
    const sandbox = box();
    const own = await runRolecall(sandbox, ['exec', 'admin', ...print]);
    assert.equal(own.stdout.trim(), 'eu-central-1 eu-central-1');
    const fromEnv = await runRolecall(sandbox, ['exec', 'admin', ...print], { env: { AWS_REGION: 'ap-south-1' } });
    assert.equal(fromEnv.stdout.trim(), 'ap-south-1 ap-south-1');
    world.proxy.reset();
    const flag = await runRolecall(sandbox, ['exec', '--region', 'sa-east-1', 'admin', ...print], { env: { AWS_REGION: 'ap-south-1' } });
    assert.equal(flag.stdout.trim(), 'sa-east-1 sa-east-1');
    assert.equal(world.proxy.calls[0]?.region, 'sa-east-1');
  });

  test('the SDK warning about Node versions never reaches rolecall output', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const sandbox = box();
    const first = await runRolecall(sandbox, ['exec', 'admin', '--', 'true']);
    assert.equal(first.status, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /NodeVersionSupportWarning|will require node/);
    // The only other line a first run may print is the once-per-profile
    // notice about plain-text keys; a second run (new session) prints nothing.
    const second = await runRolecall(sandbox, ['exec', '--duration', '2h', 'admin', '--', 'true']);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stderr, '');
  });
});

function sessionNameIn(world: StsWorld): string {
  return world.proxy.calls.find((c) => c.action === 'AssumeRole')?.params.RoleSessionName ?? '?';
}

async function runRolecallDetached(sandbox: ReturnType<StsWorld['sandbox']>, args: string[]) {
  const { runProcess, rolecallBin } = await import('../helpers/sandbox.js');
  return runProcess('setsid', ['-w', process.execPath, rolecallBin, ...args], { env: sandbox.env, cwd: sandbox.home });
}


/** Runs a command on a pseudo-terminal and types each answer once a prompt ("MFA code") shows. */
function typeAtPrompts(command: string[], env: Record<string, string>, cwd: string, answers: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const run = spawnOnTerminal(command, { env, cwd });
    let stdout = '';
    let typed = 0;
    run.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const prompts = stdout.split('MFA code for').length - 1;
      while (typed < prompts && typed < answers.length) run.stdin.write(answers[typed++] as string);
    });
    run.on('close', (status) => {
      run.stdin.end();
      resolve({ status, stdout });
    });
  });
}

/**
 * A fake for the ECS container agent (no real peer serves this endpoint
 * outside ECS): it answers every GET with the container credentials JSON
 * the agent serves, and counts the requests.
 */
async function startFakeEcsAgent(keys: { accessKeyId: string; secretAccessKey: string }) {
  let count = 0;
  const server = createServer((request, response) => {
    count++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        RoleArn: 'arn:aws:iam::123456789012:role/TaskRole',
        AccessKeyId: keys.accessKeyId,
        SecretAccessKey: keys.secretAccessKey,
        Token: `fake-ecs-token-${keys.accessKeyId}`,
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/credentials/task`,
    keys,
    requests: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
