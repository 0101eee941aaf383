/**
 * The vault from the user's side, for each backend: `add --env` stores base
 * keys, `exec` over a role uses them with an empty credentials file (STS is
 * moto, the child is the AWS CLI), `list` shows where they are, `remove`
 * takes them (and the sessions made from them) away so exec fails with 125.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { CALLER_ARN, credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName } from './vault-harness.js';

describe('add, exec, list, remove', { concurrency: false }, () => {
  let world: StsWorld;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());

  for (const backend of BACKENDS) {
    test(`${backend} backend: add --env, then exec over a role with an empty credentials file prints the role's ARN; list; remove makes exec fail with 125`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws') || !(await requireBackend(t, backend))) return;
      const base = uniqueName('base');
      const role = uniqueName('role');
      const box = world.sandbox(backendEnv(backend));
      // No newline at the end, and a comment: add must append without touching either.
      const config = `# my profiles\n[profile ${role}]\nrole_arn = arn:aws:iam::123456789012:role/Vaulted\nsource_profile = ${base}\nregion = eu-west-1`;
      const configPath = box.write('.aws/config', config);
      box.write('.aws/credentials', '');
      const keys = randomKeys();
      const keyEnv = { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };

      const add = await runRolecall(box, ['add', base, '--env'], { env: keyEnv });
      t.after(() => runRolecall(box, ['remove', base, '--force']));
      assert.equal(add.status, 0, add.stderr);
      const where = backend === 'keychain' ? 'the keychain' : 'the file vault';
      assert.match(add.stdout, new RegExp(`stored the keys of profile "${base}" \\(AKIA…${keys.accessKeyId.slice(-4)}\\) in ${where}`));
      assert.equal(readFileSync(configPath, 'utf8'), `${config}\n[profile ${base}]\n`, 'add appends the section and changes no other byte');

      const exec = await runRolecall(box, ['exec', role, '--', ...CALLER_ARN]);
      assert.equal(exec.status, 0, exec.stderr);
      assert.match(exec.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Vaulted\/\S+$/);
      assert.doesNotMatch(exec.stderr, /plain text/, 'no plaintext notice: the keys came from the vault');

      const list = await runRolecall(box, ['list']);
      assert.equal(list.status, 0, list.stderr);
      const shown = backend === 'keychain' ? 'keychain' : 'file vault';
      assert.match(list.stdout, new RegExp(`^${base}\\s+keys\\s+${shown}\\s+-$`, 'm'));
      assert.match(list.stdout, new RegExp(`^${role}\\s+role over ${base}\\s+${shown} \\(of ${base}\\)\\s+AssumeRole arn:aws:iam::123456789012:role/Vaulted in eu-west-1, 1h session, (59|60)m left$`, 'm'));
      const json = JSON.parse((await runRolecall(box, ['list', '--json'])).stdout) as Array<{ profile: string; keys: string; sessions: unknown[] }>;
      assert.deepEqual(
        json.find((p) => p.profile === base),
        { profile: base, kind: 'keys', keys: shown, sessions: [] },
      );

      const remove = await runRolecall(box, ['remove', base, '--force']);
      assert.equal(remove.status, 0, remove.stderr);
      assert.match(remove.stdout, new RegExp(`deleted the keys of profile "${base}" from ${where}; dropped 1 cached session made from them`));
      const after = await runRolecall(box, ['exec', role, '--', ...CALLER_ARN]);
      assert.equal(after.status, 125, after.stdout);
      // One line, naming the vault exec looked in.
      assert.match(after.stderr, new RegExp(`^rolecall: profile "${base}" has no keys in ${where}: run \`rolecall add ${base}\` to store them there`));
      assert.equal(after.stderr.trim().split('\n').length, 1, after.stderr);
      assert.equal(after.stdout, '');
      // remove of the role, a natural slip, names the profile whose keys it uses.
      const slip = await runRolecall(box, ['remove', role, '--force']);
      assert.equal(slip.status, 1);
      assert.match(slip.stderr, new RegExp(`it is a role over the keys of profile "${base}": \`rolecall remove ${base}\` deletes those`));
    });
  }

  test('add refuses to replace stored keys without a terminal or --force, and replaces them with --force', async () => {
    const box = world.sandbox(backendEnv('file'));
    const name = uniqueName('base');
    const first = randomKeys();
    const second = randomKeys();
    const env = (k: typeof first) => ({ AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey });
    assert.equal((await runRolecall(box, ['add', name, '--env'], { env: env(first) })).status, 0);
    const again = await runRolecall(box, ['add', name, '--env'], { env: env(second) });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already has keys in the file vault; replace them\?" on; pass --force to replace them/);
    const forced = await runRolecall(box, ['add', name, '--env', '--force'], { env: env(second) });
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`AKIA…${second.accessKeyId.slice(-4)}`));
    assert.doesNotMatch(forced.stdout, /added \[profile/, 'the section exists already: the config is not touched twice');
  });

  test('add checks the shape of the keys and says what is wrong without quoting the secret', async () => {
    const box = world.sandbox(backendEnv('file'));
    const secret = 'short/secret+value';
    const bad = await runRolecall(box, ['add', 'x', '--env'], { env: { AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: secret } });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^rolecall: the environment: the secret access key for AKIA…MNOP does not look like one \(18 characters; expected 40/);
    assert.ok(!bad.stderr.includes(secret));
    const id = await runRolecall(box, ['add', 'x', '--env'], { env: { AWS_ACCESS_KEY_ID: 'akia lower', AWS_SECRET_ACCESS_KEY: randomKeys().secretAccessKey } });
    assert.match(id.stderr, /the access key id \(.*\) is not 16 to 128 capital letters and digits/);
    const missing = await runRolecall(box, ['add', 'x', '--env']);
    assert.match(missing.stderr, /--env needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    const noTerminal = await runRolecall(box, ['add', 'x']);
    assert.equal(noTerminal.status, 1);
    assert.match(noTerminal.stderr, /no terminal to ask for the keys on; pass --env/);
    const badName = await runRolecall(box, ['add', 'my profile', '--env'], { env: { AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: randomKeys().secretAccessKey } });
    assert.match(badName.stderr, /"my profile" cannot be a profile name/);
  });

  test('add --verify prints the ARN STS gives for the keys', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = world.sandbox(backendEnv('file'));
    const keys = randomKeys();
    const run = await runRolecall(box, ['add', 'verified', '--env', '--verify'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.split('\n')[0] as string, /^arn:aws:(iam|sts)::\d{12}:\S+$/);
    assert.ok(world.proxy.calls.some((c) => c.action === 'GetCallerIdentity' && c.signedWith === keys.accessKeyId));
  });

  test('six rolecall add processes at once with the file vault keep every profile', async () => {
    const box = world.sandbox(backendEnv('file'));
    const names = ['one', 'two', 'three', 'four', 'five', 'six'].map(uniqueName);
    const runs = await Promise.all(
      names.map((name) => {
        const keys = randomKeys();
        return runRolecall(box, ['add', name, '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
      }),
    );
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse((await runRolecall(box, ['list', '--json'])).stdout) as Array<{ profile: string; keys: string }>;
    for (const name of names) assert.equal(json.find((p) => p.profile === name)?.keys, 'file vault', `${name} is in the vault`);
    // Each appended its own section: all are in the config, once each.
    const config = readFileSync(join(box.home, '.aws', 'config'), 'utf8');
    for (const name of names) assert.equal(config.split(`[profile ${name}]`).length - 1, 1, config);
  });

  test('base keys come from the vault first, then from the credentials file', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = world.sandbox(backendEnv('file'));
    const inVault = randomKeys();
    const inFile = randomKeys();
    box.write('.aws/config', '[profile base]\nregion = eu-west-1\n[profile ordered]\nrole_arn = arn:aws:iam::123456789012:role/Ordered\nsource_profile = base\nregion = eu-west-1\n');
    box.write('.aws/credentials', credentialsFile({ base: inFile }));
    const add = await runRolecall(box, ['add', 'base', '--env'], { env: { AWS_ACCESS_KEY_ID: inVault.accessKeyId, AWS_SECRET_ACCESS_KEY: inVault.secretAccessKey } });
    assert.equal(add.status, 0, add.stderr);
    const signersOfOrdered = () => world.proxy.calls.filter((c) => c.action === 'AssumeRole' && c.params.RoleArn?.endsWith(':role/Ordered')).map((c) => c.signedWith);

    const fromVault = await runRolecall(box, ['exec', 'ordered', '--', ...CALLER_ARN]);
    assert.equal(fromVault.status, 0, fromVault.stderr);
    assert.match(fromVault.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Ordered\//);
    assert.deepEqual(signersOfOrdered(), [inVault.accessKeyId], 'the role is assumed with the vault\'s keys, not the file\'s');
    assert.doesNotMatch(fromVault.stderr, /plain text/);

    // Without them in the vault (remove also drops the session made from them), the file's keys serve.
    assert.equal((await runRolecall(box, ['remove', 'base', '--force'])).status, 0);
    const fromFile = await runRolecall(box, ['exec', 'ordered', '--', ...CALLER_ARN]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.match(fromFile.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Ordered\//);
    assert.deepEqual(signersOfOrdered(), [inVault.accessKeyId, inFile.accessKeyId]);
  });

  test('keys in the credentials file: exec says once per profile that import would move them', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = world.sandbox(backendEnv('file'));
    const keys = randomKeys();
    box.write('.aws/config', '[profile plain]\nregion = eu-west-1\n[profile other]\nregion = eu-west-1\n');
    box.write('.aws/credentials', `[plain]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n[other]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`);
    const notice = /^rolecall: profile "plain" takes its keys from ~\/\.aws\/credentials in plain text; `rolecall import plain --remove-plaintext` moves them into the vault \(said once\)$/m;
    const first = await runRolecall(box, ['exec', 'plain', '--', 'true']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, notice);
    assert.equal(first.stderr.trim().split('\n').length, 1, first.stderr);
    const second = await runRolecall(box, ['exec', 'plain', '--no-session', '--', 'true']);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stderr, '', 'said once');
    const other = await runRolecall(box, ['exec', 'other', '--no-session', '--', 'true']);
    assert.match(other.stderr, /profile "other" takes its keys from/);
  });
});
