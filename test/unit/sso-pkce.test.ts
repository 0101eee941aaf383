import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizeUrl, codeChallenge, codeFromRedirect, codeVerifier } from '../../src/sso/pkce.js';

test('the S256 challenge of RFC 7636 Appendix B', () => {
  assert.equal(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('a verifier is 43 unreserved characters (32 random octets), new each time', () => {
  const verifier = codeVerifier();
  assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(codeVerifier(), verifier);
});

test('the authorize URL is built on the OIDC endpoint in use, with the PKCE challenge and the state', () => {
  const url = new URL(
    authorizeUrl({
      oidcBaseUrl: 'http://127.0.0.1:4567/',
      clientId: 'client-1',
      redirectUri: 'http://127.0.0.1:9999/oauth/callback',
      state: 'the-state',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      scopes: ['sso:account:access', 'codewhisperer:completions'],
    }),
  );
  assert.equal(url.origin + url.pathname, 'http://127.0.0.1:4567/authorize');
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    response_type: 'code',
    client_id: 'client-1',
    redirect_uri: 'http://127.0.0.1:9999/oauth/callback',
    state: 'the-state',
    code_challenge_method: 'S256',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scopes: 'sso:account:access codewhisperer:completions',
  });
});

test('the redirect gives its code only with this login\'s state', () => {
  assert.equal(codeFromRedirect(new URLSearchParams('code=abc&state=s1'), 's1'), 'abc');
  assert.equal(codeFromRedirect(new URLSearchParams('code=abc&state=s2'), 's1'), undefined, 'another state: not this login\'s code');
  assert.equal(codeFromRedirect(new URLSearchParams('code=abc'), 's1'), undefined, 'no state: not this login\'s code');
  assert.equal(codeFromRedirect(new URLSearchParams('code=abc&state=s2&error=access_denied'), 's1'), undefined, 'another state\'s error does not end the sign-in');
  assert.throws(() => codeFromRedirect(new URLSearchParams('state=s1'), 's1'), /no code/);
  assert.throws(() => codeFromRedirect(new URLSearchParams('state=s1&error=access_denied'), 's1'), /not approved: access_denied/);
});
