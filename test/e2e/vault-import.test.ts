/**
 * `rolecall import` moves keys out of ~/.aws/credentials: into the vault,
 * and with --remove-plaintext out of the file, every other byte kept and
 * the old file backed up 0600. Exec then finds the keys in the vault.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { CALLER_ARN, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { backendEnv } from './vault-harness.js';

describe('rolecall import', { concurrency: false }, () => {
  let world: StsWorld;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());

  test('moves keys into the vault; --remove-plaintext deletes only the key lines and keeps a 0600 backup', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = world.sandbox(backendEnv('file'));
    const one = randomKeys();
    const two = randomKeys();
    box.write('.aws/config', '[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Imported\nsource_profile = one\nregion = eu-west-1\n');
    // CRLF line ends, comments, a mixed-case key, a nested setting and
    // another one: all of it must survive except the key lines.
    const original =
      '# my keys\r\n[one]\r\naws_access_key_id = ' +
      one.accessKeyId +
      '\r\nAWS_Secret_Access_Key=' +
      one.secretAccessKey +
      '\r\n; a comment\r\nregion = eu-west-1\r\ns3 =\r\n  max_concurrent_requests = 4\r\n\r\n[two]\r\naws_access_key_id = ' +
      two.accessKeyId +
      '\r\naws_secret_access_key = ' +
      two.secretAccessKey +
      '\r\n[three]\r\noutput = json';
    const credentials = box.write('.aws/credentials', original, 0o644);

    const copy = await runRolecall(box, ['import']);
    assert.equal(copy.status, 0, copy.stderr);
    assert.match(copy.stdout, /imported the keys of profile "one" \(AKIA…\w{4}\) from ~\/\.aws\/credentials into the file vault/);
    assert.match(copy.stdout, /imported the keys of profile "two"/);
    assert.match(copy.stdout, /the keys are still in the file too/);
    assert.equal(readFileSync(credentials, 'utf8'), original, 'without --remove-plaintext the file is untouched');

    const move = await runRolecall(box, ['import', 'one', 'two', '--remove-plaintext']);
    assert.equal(move.status, 0, move.stderr);
    const expected = '# my keys\r\n[one]\r\n; a comment\r\nregion = eu-west-1\r\ns3 =\r\n  max_concurrent_requests = 4\r\n\r\n[two]\r\n[three]\r\noutput = json';
    assert.equal(readFileSync(credentials, 'utf8'), expected);
    assert.equal(statSync(credentials).mode & 0o777, 0o644, 'the file keeps its mode');
    const backups = readdirSync(join(box.home, '.aws')).filter((name) => name.startsWith('credentials.rolecall-backup-'));
    assert.equal(backups.length, 1, backups.join(', '));
    const backup = join(box.home, '.aws', backups[0] as string);
    assert.equal(readFileSync(backup, 'utf8'), original);
    assert.equal(statSync(backup).mode & 0o777, 0o600);
    assert.match(move.stdout, /deleted 4 key lines from ~\/\.aws\/credentials; the file as it was is in ~\/\.aws\/credentials\.rolecall-backup-\S+ \(0600\)/);

    const exec = await runRolecall(box, ['exec', 'role', '--', ...CALLER_ARN]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::123456789012:assumed-role\/Imported\//);
    assert.ok(world.proxy.calls.some((c) => c.action === 'AssumeRole' && c.signedWith === one.accessKeyId), 'signed with the imported keys');
    assert.doesNotMatch(exec.stderr, /plain text/);
  });

  test('a profile without keys, or one whose vault entry differs, is an error; --force replaces', async () => {
    const box = world.sandbox(backendEnv('file'));
    const first = randomKeys();
    const second = randomKeys();
    box.write('.aws/config', '[profile empty]\nregion = eu-west-1\n');
    box.write('.aws/credentials', `[p]\naws_access_key_id = ${first.accessKeyId}\naws_secret_access_key = ${first.secretAccessKey}\n`);
    const none = await runRolecall(box, ['import', 'empty']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^rolecall: profile "empty" has no keys in the credentials or config file; nothing was imported$/m);
    const unknown = await runRolecall(box, ['import', 'nope']);
    assert.match(unknown.stderr, /profile "nope" is not in the config or credentials file/);
    assert.equal((await runRolecall(box, ['import', 'p'])).status, 0);
    assert.equal((await runRolecall(box, ['import', 'p'])).status, 0, 'the same keys again: fine');
    box.write('.aws/credentials', `[p]\naws_access_key_id = ${second.accessKeyId}\naws_secret_access_key = ${second.secretAccessKey}\n`);
    const differs = await runRolecall(box, ['import', 'p', '--remove-plaintext']);
    assert.equal(differs.status, 1);
    assert.match(differs.stderr, /profile "p": the file vault already holds other keys for it; skipped \(--force replaces them\)/);
    assert.match(readFileSync(join(box.home, '.aws', 'credentials'), 'utf8'), /aws_secret_access_key/, 'nothing deleted for a skipped profile');
    const forced = await runRolecall(box, ['import', 'p', '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`AKIA…${second.accessKeyId.slice(-4)}`));
  });
});
