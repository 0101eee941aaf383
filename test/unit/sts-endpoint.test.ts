/** Where STS is called, as the AWS CLI picks it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stsEndpoint } from '../../src/sts/sts-endpoint.js';

test('AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL', () => {
  assert.equal(stsEndpoint({ AWS_ENDPOINT_URL_STS: 'http://sts.local', AWS_ENDPOINT_URL: 'http://all.local' }), 'http://sts.local');
});

test('AWS_ENDPOINT_URL alone is honoured', () => {
  assert.equal(stsEndpoint({ AWS_ENDPOINT_URL: 'http://all.local' }), 'http://all.local');
  assert.equal(stsEndpoint({ AWS_ENDPOINT_URL_STS: '', AWS_ENDPOINT_URL: 'http://all.local' }), 'http://all.local', 'an empty service variable is unset');
});

test('neither: the SDK computes the regional endpoint', () => {
  assert.equal(stsEndpoint({}), undefined);
});

test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both', () => {
  assert.equal(stsEndpoint({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'TRUE', AWS_ENDPOINT_URL_STS: 'http://sts.local', AWS_ENDPOINT_URL: 'http://all.local' }), undefined);
});
