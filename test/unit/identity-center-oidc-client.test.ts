import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oidcBaseUrl } from '../../src/identity-center/oidc-client.js';

test('the OIDC API is regional unless AWS_ENDPOINT_URL_SSO_OIDC moves it', () => {
  assert.equal(oidcBaseUrl({ region: 'eu-west-1' }), 'https://oidc.eu-west-1.amazonaws.com');
  // As the SDK's endpoint rules give for each partition: the authorize page is where the API is.
  assert.equal(oidcBaseUrl({ region: 'cn-north-1' }), 'https://oidc.cn-north-1.amazonaws.com.cn');
  assert.equal(oidcBaseUrl({ region: 'us-gov-west-1' }), 'https://oidc.us-gov-west-1.amazonaws.com');
  assert.equal(oidcBaseUrl({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:8080/' }), 'http://127.0.0.1:8080');
});

test("the authorize page's host is the one the SDK calls the OIDC API at, in every partition", async () => {
  const { SSOOIDCClient } = await import('@aws-sdk/client-sso-oidc');
  for (const region of ['us-east-1', 'eu-central-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1']) {
    const sdk = new SSOOIDCClient({ region });
    const endpoint = await sdk.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
    assert.equal(oidcBaseUrl({ region }), endpoint.url.href.replace(/\/+$/, ''), region);
    sdk.destroy();
  }
});
