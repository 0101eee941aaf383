/** Where IAM is called: the AWS CLI's rule, as for STS (test/unit/sts-endpoint.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceEndpoint } from '../../src/config/service-endpoint.js';

test('AWS_ENDPOINT_URL_IAM wins over AWS_ENDPOINT_URL, and is not STS', () => {
  const env = { AWS_ENDPOINT_URL_IAM: 'http://iam.local', AWS_ENDPOINT_URL_STS: 'http://sts.local', AWS_ENDPOINT_URL: 'http://all.local' };
  assert.equal(serviceEndpoint(env, 'IAM'), 'http://iam.local');
  assert.equal(serviceEndpoint(env, 'STS'), 'http://sts.local');
  assert.equal(serviceEndpoint({ AWS_ENDPOINT_URL: 'http://all.local' }, 'IAM'), 'http://all.local');
  assert.equal(serviceEndpoint({ AWS_ENDPOINT_URL_IAM: '' }, 'IAM'), undefined);
  assert.equal(serviceEndpoint({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'IAM'), undefined);
});

test('AWS_ENDPOINT_URL_SSO moves the Identity Center portal, AWS_ENDPOINT_URL_SSO_OIDC its sign-in, each apart from STS', () => {
  const env = { AWS_ENDPOINT_URL_SSO: 'http://portal.local', AWS_ENDPOINT_URL_SSO_OIDC: 'http://oidc.local', AWS_ENDPOINT_URL_STS: 'http://sts.local' };
  assert.equal(serviceEndpoint(env, 'SSO'), 'http://portal.local');
  assert.equal(serviceEndpoint(env, 'SSO_OIDC'), 'http://oidc.local');
  assert.equal(serviceEndpoint({ AWS_ENDPOINT_URL: 'http://all.local' }, 'SSO'), 'http://all.local');
  assert.equal(serviceEndpoint({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'SSO'), undefined);
});
