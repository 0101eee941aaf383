import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { locksDirectory } from '../../src/fs/rolecall-dirs.js';
import { fileVaultDir } from '../../src/fs/rolecall-dirs.js';
import { xdgHome } from '../../src/fs/xdg-home.js';

const HOME = '/home/alice';

test('an absolute XDG_*_HOME is used; an unset, empty or relative one is ignored for the default under HOME', () => {
  assert.equal(locksDirectory({ HOME, XDG_CACHE_HOME: '/var/cache/alice' }), '/var/cache/alice/rolecall/locks');
  for (const ignored of [undefined, '', 'cache', './cache', '../x']) {
    const env = { HOME, ...(ignored === undefined ? {} : { XDG_CACHE_HOME: ignored, XDG_DATA_HOME: ignored, XDG_STATE_HOME: ignored }) };
    assert.equal(locksDirectory(env), join(HOME, '.cache', 'rolecall', 'locks'), String(ignored));
    assert.equal(fileVaultDir(env), join(HOME, '.local', 'share', 'rolecall', 'vault'), String(ignored));
    assert.equal(xdgHome(env, 'XDG_STATE_HOME'), join(HOME, '.local', 'state'), String(ignored));
  }
});
