import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oidcBaseUrl } from '../../src/identity-center/oidc-client.js';

test('the OIDC API is regional unless AWS_ENDPOINT_URL_SSO_OIDC moves it', () => {
  assert.equal(oidcBaseUrl({ region: 'eu-west-1' }), 'https://oidc.eu-west-1.amazonaws.com');
  assert.equal(oidcBaseUrl({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:8080/' }), 'http://127.0.0.1:8080');
});
