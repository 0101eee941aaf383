/**
 * rolecall rotate against moto's IAM and STS (both behind the recording
 * proxy, AWS_ENDPOINT_URL_IAM and AWS_ENDPOINT_URL_STS): the user ends with
 * exactly one access key, the new one, stored in the vault and working; a
 * failure injected after CreateAccessKey (the proxy refusing
 * GetCallerIdentity, or DeleteAccessKey) leaves a stored pair that works and
 * a message saying which key exists where. The AWS CLI, as moto's admin,
 * sets up the user and reads its keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accessKeyIdsOf, motoAdmin } from '../helpers/moto-server.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { stsWorldForSuite } from '../helpers/sts-world.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName, type Backend } from './vault-harness.js';
import { filesHolding, watchArgv } from '../helpers/secret-scan.js';

describe('rolecall rotate', { concurrency: false }, () => {
  const suite = stsWorldForSuite();

  /** The AWS CLI as moto's administrator, straight at moto. */
  const admin = (args: string[]): Promise<unknown> => motoAdmin(suite.world.moto, args);
  const keyIdsOf = (user: string) => accessKeyIdsOf(suite.world.moto.url, user);

  interface Setup {
    readonly box: Sandbox;
    readonly user: string;
    readonly profile: string;
    readonly old: { AccessKeyId: string; SecretAccessKey: string };
  }

  /** An IAM user in moto with one key, stored with `rolecall add` for a profile of the same name. */
  async function setup(profileLines = '', backend: Backend = 'file'): Promise<Setup> {
    const { world } = suite;
    const user = uniqueName('alice');
    await admin(['iam', 'create-user', '--user-name', user]);
    const created = (await admin(['iam', 'create-access-key', '--user-name', user])) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
    const box = world.sandbox({ AWS_ENDPOINT_URL_IAM: world.proxy.url, ...backendEnv(backend) });
    box.write('.aws/config', `[profile ${user}]\nregion = eu-west-1\n${profileLines}\n[profile ${user}-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = ${user}\n`);
    const added = await runRolecall(box, ['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: created.AccessKey.AccessKeyId, AWS_SECRET_ACCESS_KEY: created.AccessKey.SecretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    world.proxy.reset();
    return { box, user, profile: user, old: created.AccessKey };
  }

  /** The key the stored pair is, as `exec --no-session` hands it to the child, and whether STS takes it. */
  async function storedKey(s: Setup): Promise<{ id: string; secret: string; arn: string }> {
    const result = await runRolecall(s.box, ['exec', '--no-session', s.profile, '--', 'sh', '-c', 'printf "%s %s " "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"; aws sts get-caller-identity --query Arn --output text']);
    assert.equal(result.status, 0, result.stderr);
    const [id = '', secret = '', arn = ''] = result.stdout.trim().split(' ');
    return { id, secret, arn };
  }

  function assertQuiet(result: RunResult, secrets: readonly string[]) {
    for (const secret of secrets) {
      assert.ok(!result.stdout.includes(secret), 'a secret in stdout');
      assert.ok(!result.stderr.includes(secret), 'a secret in stderr');
    }
  }

  for (const backend of BACKENDS) {
    test(`${backend} backend: the user ends with one key, the new one, stored and working; the sessions of the old one are dropped`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws') || !(await requireBackend(t, backend))) return;
      const s = await setup('', backend);
      t.after(() => runRolecall(s.box, ['remove', s.profile, '--force']));
      const warm = await runRolecall(s.box, ['exec', `${s.profile}-admin`, '--', 'true']);
      assert.equal(warm.status, 0, warm.stderr);
      suite.world.proxy.reset();

      const watcher = watchArgv([s.old.SecretAccessKey]);
      let result: RunResult;
      try {
        result = await runRolecall(s.box, ['rotate', s.profile, '--debug']);
      } finally {
        assert.deepEqual(watcher.stop(), [], 'the old secret in some argv');
      }
      assert.equal(result.status, 0, result.stderr);
      const keys = await keyIdsOf(s.user);
      assert.equal(keys.length, 1, keys.join(' '));
      const fresh = keys[0]!;
      assert.notEqual(fresh, s.old.AccessKeyId);
      assert.equal(
        result.stdout,
        `created the key ${fresh} for IAM user ${s.user} and stored it in the ${backend === 'file' ? 'file vault' : 'keychain'}\ndeleted the old key ${s.old.AccessKeyId}; dropped 1 cached session made from it\n`,
      );
      const { proxy } = suite.world;
      const create = proxy.calls.find((c) => c.action === 'CreateAccessKey');
      assert.equal(create?.signedWith, s.old.AccessKeyId);
      assert.equal(create?.params.UserName, s.user);
      assert.equal(proxy.calls.at(-1)?.action, 'DeleteAccessKey', 'the old key goes last');
      assert.equal(proxy.calls.at(-1)?.params.AccessKeyId, s.old.AccessKeyId);
      assert.ok(proxy.calls.some((c) => c.action === 'GetCallerIdentity' && c.signedWith === fresh), 'the new key was checked before the old one went');

      const stored = await storedKey(s);
      assert.equal(stored.id, fresh);
      assert.equal(stored.arn, `arn:aws:iam::123456789012:user/${s.user}`);
      assertQuiet(result, [s.old.SecretAccessKey, stored.secret]);
      assert.deepEqual(filesHolding(s.box, [stored.secret]), [], 'the new secret is in no plain-text file');
    });
  }

  test('with mfa_serial, IAM is called with the MFA session', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const s = await setup('mfa_serial = arn:aws:iam::123456789012:mfa/alice\nmfa_process = echo 123456\n');
    const result = await runRolecall(s.box, ['rotate', s.profile]);
    assert.equal(result.status, 0, result.stderr);
    const { proxy } = suite.world;
    const mfa = proxy.calls.find((c) => c.action === 'GetSessionToken');
    assert.equal(mfa?.params.SerialNumber, 'arn:aws:iam::123456789012:mfa/alice');
    assert.equal(mfa?.params.TokenCode, '123456');
    const create = proxy.calls.find((c) => c.action === 'CreateAccessKey');
    assert.ok(create && create.signedWith !== s.old.AccessKeyId, `CreateAccessKey signed with ${create?.signedWith}, not the session`);
    assert.equal((await keyIdsOf(s.user)).length, 1);
  });

  test('a new key STS does not know yet is checked again until it does', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const s = await setup();
    const { proxy } = suite.world;
    proxy.onAnswered('CreateAccessKey', () => proxy.refuse('GetCallerIdentity', { code: 'InvalidClientTokenId', times: 2 }));
    const result = await runRolecall(s.box, ['rotate', s.profile, '--debug']);
    assert.equal(result.status, 0, result.stderr);
    const [fresh] = await keyIdsOf(s.user);
    assert.equal(proxy.calls.filter((c) => c.action === 'GetCallerIdentity' && c.signedWith === fresh).length, 3);
    assert.match(result.stderr, /STS does not know the new key yet \(try 2 of 12\)/);
    // Masked as every --debug line shows a key id.
    assert.ok(result.stderr.includes(`the new key ${(fresh as string).slice(0, 4)}…${(fresh as string).slice(-4)} works (try 3)`), result.stderr);
    assert.ok(!result.stderr.includes(fresh as string), 'no whole key id in --debug');
    assert.equal((await storedKey(s)).id, fresh);
  });

  test('GetCallerIdentity refused for the new key: the old key is stored again and works, the new one is deleted', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const s = await setup();
    const { proxy } = suite.world;
    proxy.onAnswered('CreateAccessKey', () => proxy.refuse('GetCallerIdentity'));
    const result = await runRolecall(s.box, ['rotate', s.profile]);
    assert.equal(result.status, 1);
    const fresh = proxy.calls.find((c) => c.action === 'DeleteAccessKey')?.params.AccessKeyId ?? '';
    assert.notEqual(fresh, s.old.AccessKeyId, 'what was deleted is the new key');
    assert.match(
      result.stderr,
      new RegExp(`^rolecall: the new key ${fresh} did not work \\(GetCallerIdentity failed: AccessDenied: .*\\); ${s.old.AccessKeyId} is stored again in the file vault and in use; ${fresh} was deleted\\n$`),
    );
    assert.deepEqual(await keyIdsOf(s.user), [s.old.AccessKeyId]);
    proxy.reset();
    const stored = await storedKey(s);
    assert.equal(stored.id, s.old.AccessKeyId);
    assert.equal(stored.arn, `arn:aws:iam::123456789012:user/${s.user}`);
    assertQuiet(result, [s.old.SecretAccessKey]);
  });

  test('DeleteAccessKey refused: the new key is stored and works, and the message says the old one is still in IAM', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const s = await setup();
    const { proxy } = suite.world;
    proxy.refuse('DeleteAccessKey');
    const result = await runRolecall(s.box, ['rotate', s.profile]);
    assert.equal(result.status, 1);
    const keys = await keyIdsOf(s.user);
    assert.equal(keys.length, 2);
    const fresh = keys.find((k) => k !== s.old.AccessKeyId)!;
    assert.equal(
      result.stderr,
      `rolecall: DeleteAccessKey ${s.old.AccessKeyId} failed: AccessDenied: User is not authorized to perform: sts:DeleteAccessKey; the user's policy must allow it on its own keys (with MFA when the policy asks for it: set mfa_serial in the profile); the new key ${fresh} is stored in the file vault and works, but the old key ${s.old.AccessKeyId} still exists in IAM: delete it with \`aws iam delete-access-key --user-name ${s.user} --access-key-id ${s.old.AccessKeyId}\`\n`,
    );
    proxy.reset();
    const stored = await storedKey(s);
    assert.equal(stored.id, fresh);
    assert.equal(stored.arn, `arn:aws:iam::123456789012:user/${s.user}`);
  });

  test('the answer to CreateAccessKey lost mid-reply: the old key stays stored and in use, and the line says IAM may hold a new key', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const s = await setup();
    const { proxy } = suite.world;
    // moto makes the key; its answer is cut halfway, as a dropped connection would.
    proxy.fault('CreateAccessKey', { kind: 'reset' });
    const result = await runRolecall(s.box, ['rotate', s.profile]);
    proxy.reset();
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`IAM may have made a new key all the same, which nothing stored \\(see \`aws iam list-access-keys --user-name ${s.user}\`; delete it before the next rotate\\): ${s.old.AccessKeyId} is still stored in the file vault and in use\\n$`));
    assert.equal((await keyIdsOf(s.user)).length, 2, 'IAM made it');
    assert.equal((await storedKey(s)).id, s.old.AccessKeyId);
  });

  test('keys in ~/.aws/credentials, or a role profile: one line that says what to do, nothing called', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const s = await setup();
    s.box.write('.aws/credentials', `[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\naws_secret_access_key = ${'x'.repeat(40)}\n`);
    const plain = await runRolecall(s.box, ['rotate', 'plain']);
    assert.equal(plain.status, 1);
    assert.equal(plain.stderr, 'rolecall: the keys of profile "plain" are in ~/.aws/credentials, not in rolecall\'s vault: move them with `rolecall import plain --remove-plaintext`, then run `rolecall rotate plain` (rotate never rewrites that file)\n');
    const role = await runRolecall(s.box, ['rotate', `${s.profile}-admin`]);
    assert.equal(role.status, 1);
    assert.match(role.stderr, new RegExp(`it is a role over the keys of profile "${s.profile}": \`rolecall rotate ${s.profile}\` rotates those\\n$`));
    assert.deepEqual(suite.world.proxy.counts(), {});
  });
});
