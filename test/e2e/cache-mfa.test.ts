/**
 * One MFA session serves every role over the same keys and serial, across
 * processes: ten commands at once over two roles run the mfa_process once,
 * call GetSessionToken once and assume each role once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';

const MFA = 'arn:aws:iam::123456789012:mfa/alice';
const CONFIG = `
[profile base]
region = us-east-1
mfa_serial = ${MFA}
mfa_process = sh "$HOME/mfa.sh"

[profile reader]
role_arn = arn:aws:iam::123456789012:role/Reader
source_profile = base
region = us-east-1

[profile writer]
role_arn = arn:aws:iam::123456789012:role/Writer
source_profile = base
region = eu-west-1
`;

/** Counts its own runs in a file, then gives a code as a token app would. */
const MFA_SCRIPT = `echo run >> "$HOME/mfa-runs"\nsleep 0.3\necho 123456\n`;

describe('session cache: one MFA code for every role', { concurrency: false }, () => {
  let world: StsWorld;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());

  // The two roles are in different regions: the MFA session serves both.
  test('10 concurrent execs over two roles: one code, one GetSessionToken, one AssumeRole per role', async (t) => {
    if (!requireCommands(t, 'moto_server', 'sh')) return;
    const box = world.sandbox();
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
    box.write('mfa.sh', MFA_SCRIPT);
    world.proxy.delay('GetSessionToken', 800);
    world.proxy.delay('AssumeRole', 400);
    const profiles = ['reader', 'writer', 'reader', 'writer', 'reader', 'writer', 'reader', 'writer', 'reader', 'writer'];
    const runs = await Promise.all(profiles.map((profile) => runRolecall(box, ['exec', profile, '--', 'true'])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(box.home, 'mfa-runs'), 'utf8'), 'run\n', 'the mfa_process ran once');
    assert.equal(world.proxy.count('GetSessionToken'), 1);
    assert.equal(world.proxy.count('AssumeRole'), 2);

    // A role session in a third region (--region) is a new AssumeRole, still with no code.
    world.proxy.reset();
    const elsewhere = await runRolecall(box, ['exec', 'writer', '--region', 'ap-south-1', '--', 'true']);
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assert.deepEqual(world.proxy.counts(), { AssumeRole: 1 });
    assert.equal(readFileSync(join(box.home, 'mfa-runs'), 'utf8'), 'run\n', 'still the one code');

    // Later, a role whose own session is gone reuses the MFA session: no code.
    world.proxy.reset();
    assert.equal((await runRolecall(box, ['clear', 'reader'])).status, 0);
    const again = await runRolecall(box, ['exec', 'writer', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(world.proxy.counts(), {}, '`clear reader` leaves the writer role cached');
  });

  test('after `clear reader` (its chain: the role and the MFA session) a new code is asked once', async (t) => {
    if (!requireCommands(t, 'moto_server', 'sh')) return;
    const box = world.sandbox();
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
    box.write('mfa.sh', MFA_SCRIPT);
    world.proxy.reset();
    assert.equal((await runRolecall(box, ['exec', 'reader', '--', 'true'])).status, 0);
    const cleared = await runRolecall(box, ['clear', 'reader']);
    assert.match(cleared.stdout, /cleared 2 cached sessions of profile "reader"/);
    const runs = await Promise.all([runRolecall(box, ['exec', 'reader', '--', 'true']), runRolecall(box, ['exec', 'writer', '--', 'true'])]);
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(box.home, 'mfa-runs'), 'utf8'), 'run\nrun\n');
    assert.equal(world.proxy.count('GetSessionToken'), 2);
    assert.equal(world.proxy.count('AssumeRole'), 3);
  });
});
