/** The console URL's parts, by partition, page and region. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionOf } from '../../src/config/partition.js';
import { consoleDestination, loginUrl } from '../../src/console/federation.js';

test('the sign-in and console hosts follow the partition of the region', () => {
  assert.equal(partitionOf('eu-west-1').signinHost, 'signin.aws.amazon.com');
  assert.equal(partitionOf(undefined).consoleHost, 'console.aws.amazon.com');
  assert.equal(partitionOf('cn-northwest-1').signinHost, 'signin.amazonaws.cn');
  assert.equal(partitionOf('us-gov-east-1').signinHost, 'signin.amazonaws-us-gov.com');
  assert.equal(partitionOf('us-gov-east-1').consoleHost, 'console.amazonaws-us-gov.com');
});

test('the destination: the page asked for (else the home page) in the region', () => {
  assert.equal(consoleDestination('console.aws.amazon.com', '/s3/home', 'eu-west-1'), 'https://console.aws.amazon.com/s3/home?region=eu-west-1');
  assert.equal(consoleDestination('console.aws.amazon.com', '/s3/buckets?tab=objects', 'eu-west-1'), 'https://console.aws.amazon.com/s3/buckets?tab=objects&region=eu-west-1');
  assert.equal(consoleDestination('console.amazonaws.cn', undefined, undefined), 'https://console.amazonaws.cn/console/home');
});

test('the login URL carries the destination encoded, so its own query stays its own', () => {
  const url = new URL(loginUrl('https://signin.aws.amazon.com/federation', 'tok+en/=', 'https://console.aws.amazon.com/s3/home?region=eu-west-1&x=1'));
  assert.equal(url.searchParams.get('Action'), 'login');
  assert.equal(url.searchParams.get('Issuer'), 'rolecall');
  assert.equal(url.searchParams.get('SigninToken'), 'tok+en/=');
  assert.equal(url.searchParams.get('Destination'), 'https://console.aws.amazon.com/s3/home?region=eu-west-1&x=1');
  assert.deepEqual([...url.searchParams.keys()], ['Action', 'Issuer', 'Destination', 'SigninToken']);
});
