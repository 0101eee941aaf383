/** What an STS failure's one line adds, so the user knows where to look. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hintFor } from '../../src/sts/sts-client.js';

test("a host name that does not resolve asks about the region first (STS's host is made from it)", () => {
  assert.match(hintFor('getaddrinfo ENOTFOUND sts.eu-wst-1.amazonaws.com', { region: 'eu-wst-1' }), /is "eu-wst-1" a region\? \(from --region, AWS_REGION or the profile's region\); if it is, check the network/);
  // With an endpoint of one's own, the endpoint is the suspect.
  assert.match(hintFor('getaddrinfo ENOTFOUND sts.example', { region: 'eu-west-1', endpoint: 'http://sts.example' }), /STS is at http:\/\/sts\.example .*is it up\?/);
  assert.match(hintFor('connect ETIMEDOUT 1.2.3.4:443', { region: 'eu-west-1' }), /check the network \(STS in eu-west-1\)/);
});

test('an answer that is not STS (an HTML page at the endpoint) says so, naming the endpoint', () => {
  assert.match(hintFor('@aws-sdk XML parse error: mismatched tags <meta> and </head>.', { region: 'eu-west-1', endpoint: 'http://127.0.0.1:8080' }), /http:\/\/127\.0\.0\.1:8080 did not answer as STS does: check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and any proxy/);
});
