/**
 * Where the two files are, as botocore finds them (observed with botocore 1.43:
 * Session().get_config_variable('config_file') and the profiles it then lists).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configPaths, displayPath } from '../../src/config/config-paths.js';

test('defaults are ~/.aws/config and ~/.aws/credentials', () => {
  assert.deepEqual(configPaths({ HOME: '/home/u' }), { config: '/home/u/.aws/config', credentials: '/home/u/.aws/credentials' });
});

test('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name the files, with $VAR, ${VAR} and ~ expanded', () => {
  const env = { HOME: '/home/u', D: '/data' };
  assert.equal(configPaths({ ...env, AWS_CONFIG_FILE: '~/vc' }).config, '/home/u/vc');
  assert.equal(configPaths({ ...env, AWS_CONFIG_FILE: '$D/vc' }).config, '/data/vc');
  assert.equal(configPaths({ ...env, AWS_SHARED_CREDENTIALS_FILE: '${D}/k' }).credentials, '/data/k');
  // os.path.expandvars leaves an unset variable as written.
  assert.equal(configPaths({ ...env, AWS_CONFIG_FILE: '$NOPE/vc' }).config, '$NOPE/vc');
});

test('AWS_CONFIG_FILE set to the empty string means no config file, not ~/.aws/config', () => {
  // botocore: with AWS_CONFIG_FILE= the config_file is "" and no profile of ~/.aws/config is listed.
  assert.equal(configPaths({ HOME: '/home/u', AWS_CONFIG_FILE: '' }).config, '');
  assert.equal(configPaths({ HOME: '/home/u', AWS_SHARED_CREDENTIALS_FILE: '' }).credentials, '');
});

test('messages show paths under HOME with ~', () => {
  assert.equal(displayPath('/home/u/.aws/config', { HOME: '/home/u' }), '~/.aws/config');
  assert.equal(displayPath('/home/user2/.aws/config', { HOME: '/home/u' }), '/home/user2/.aws/config');
  assert.equal(displayPath('/etc/aws/config', { HOME: '/home/u' }), '/etc/aws/config');
});
