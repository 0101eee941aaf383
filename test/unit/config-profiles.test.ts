/**
 * From two parsed files to profiles, against botocore's build_profile_map and
 * Session.full_config (which folds the credentials file in). Expectations were
 * observed with botocore 1.43 (Session.available_profiles and the profile's values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIni } from '../../src/config/ini-parser.js';
import { buildProfiles, profileNameOfConfigSection } from '../../src/config/profiles.js';

function profiles(config: string, credentials = '') {
  return buildProfiles(parseIni(config), parseIni(credentials));
}

test('[profile NAME] and [default] are profiles in the config file; other sections are not', () => {
  const built = profiles('[default]\nregion=d\n[profile dev]\nregion=x\n[preview]\ncloudfront=true\n[sso-session s]\nsso_region=x\n[services s]\n');
  assert.deepEqual([...built.keys()].sort(), ['default', 'dev']);
  assert.deepEqual(built.get('dev')?.values, { region: 'x' });
});

test('profile names are split like shell words: quotes, extra spaces, tabs and escapes', () => {
  // botocore (shlex.split): profiles ['', 'a b', 'my name', 'q', 'x', 'y', 'z'] from the sections below.
  const built = profiles(
    [
      '[profile "my name"]',
      '[profile   x]',
      '[profile\ty]',
      '[profile a b]', // three words: not a profile
      '[profile]', // one word: not a profile
      '[profilex]',
      '[profiles z]', // botocore only checks the prefix "profile", so this is profile "z"
      '[profile "un]', // unclosed quote: shlex raises, botocore skips the section
      "[profile 'q']",
      '[profile ""]', // an empty name
      '[profile a\\ b]',
      '[profile\u00a0nb]', // shlex splits on space, tab, CR and LF only: one word, not a profile
      '[Profile Cap]', // the prefix is case-sensitive
    ].join('\nregion=1\n') + '\nregion=1\n',
  );
  assert.deepEqual([...built.keys()].sort(), ['', 'a b', 'my name', 'q', 'x', 'y', 'z']);
  assert.equal(profileNameOfConfigSection('profile "a \\"b\\""'), 'a "b"');
  assert.equal(profileNameOfConfigSection('profile a\\'), undefined, 'a trailing backslash makes shlex raise');
});

test('profile names are looked up with their case', () => {
  // botocore: `--profile dev` with only [profile Dev] is ProfileNotFound.
  const built = profiles('[profile Dev]\nregion=r\n');
  assert.ok(built.has('Dev'));
  assert.ok(!built.has('dev'));
});

test('[default] and [profile default] are one profile: the later section replaces the earlier whole', () => {
  // botocore: region "d" when [default] comes last, "p" when [profile default] does; keys are not merged.
  assert.deepEqual(profiles('[profile default]\nregion=p\noutput=json\n[default]\nregion=d\n').get('default')?.values, { region: 'd' });
  assert.deepEqual(profiles('[default]\nregion=d\n[profile default]\nregion=p\n').get('default')?.values, { region: 'p' });
});

test('the credentials file wins key by key and keeps the config file keys it does not set', () => {
  const built = profiles('[profile a]\nregion=c\nrole_arn=R\noutput=json\n', '[a]\nregion=x\naws_access_key_id=K\n');
  const a = built.get('a');
  // botocore full_config: {'region': 'x', 'role_arn': 'R', 'output': 'json', 'aws_access_key_id': 'K'}
  assert.deepEqual(a?.values, { region: 'x', role_arn: 'R', output: 'json', aws_access_key_id: 'K' });
  assert.deepEqual(a?.origin, { region: 'credentials', role_arn: 'config', output: 'config', aws_access_key_id: 'credentials' });
  assert.deepEqual(a?.files, ['config', 'credentials']);
  // Each file's own section stays available: botocore takes a key pair from one file only.
  assert.deepEqual(a?.byFile, { config: { region: 'c', role_arn: 'R', output: 'json' }, credentials: { region: 'x', aws_access_key_id: 'K' } });
});

test('in the credentials file the section name is the profile name, "profile" prefix included', () => {
  // botocore: profiles ['a', 'profile a'] for [profile a] in both files; the keys in the
  // credentials file's [profile a] do not reach profile "a".
  const built = profiles('[profile a]\nregion=r\n', '[profile a]\naws_access_key_id=K\naws_secret_access_key=S\n[default]\nregion=d\n');
  assert.deepEqual([...built.keys()].sort(), ['a', 'default', 'profile a']);
  assert.deepEqual(built.get('a')?.values, { region: 'r' });
  assert.deepEqual(built.get('default')?.files, ['credentials']);
});

test('[DEFAULT] in one file reaches every profile of that file only', () => {
  const built = profiles('[DEFAULT]\nregion=dr\n[profile a]\n', '[DEFAULT]\noutput=text\n[a]\n[c]\n');
  assert.deepEqual(built.get('a')?.values, { region: 'dr', output: 'text' });
  assert.deepEqual(built.get('c')?.values, { output: 'text' });
  assert.ok(!built.has('DEFAULT'));
});
