/**
 * One moto server and one recording proxy per test file, with a sandbox
 * HOME whose environment points STS at the proxy. Base secrets are random so
 * a test can prove they never leak (moto's own answers are fixed examples).
 */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { startMoto, type MotoServer } from './moto-server.js';
import { makeSandbox, type Sandbox } from './sandbox.js';
import { startStsProxy, type StsProxy } from './sts-proxy.js';

export interface World<P> {
  readonly moto: MotoServer;
  readonly proxy: P;
  sandbox(extraEnv?: Record<string, string>): Sandbox;
  stop(): Promise<void>;
}

export type StsWorld = World<StsProxy>;

/** moto, a proxy of the test's choosing in front of it, and sandboxes whose STS is the proxy. */
export async function startWorldWith<P extends { readonly url: string; stop(): Promise<void> }>(makeProxy: (target: string) => Promise<P>): Promise<World<P>> {
  const moto = await startMoto();
  const proxy = await makeProxy(moto.url);
  const sandboxes: Sandbox[] = [];
  return {
    moto,
    proxy,
    sandbox(extraEnv = {}) {
      const box = makeSandbox({ AWS_ENDPOINT_URL_STS: proxy.url, ...extraEnv });
      sandboxes.push(box);
      return box;
    },
    async stop() {
      for (const box of sandboxes) box.cleanup();
      await proxy.stop();
      await moto.stop();
    },
  };
}

export function startStsWorld(): Promise<StsWorld> {
  return startWorldWith(startStsProxy);
}

/** A fresh, valid-looking long-term key pair nobody else uses. */
export function randomKeys(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

export function credentialsFile(profiles: Record<string, { accessKeyId: string; secretAccessKey: string }>): string {
  return Object.entries(profiles)
    .map(([name, k]) => `[${name}]\naws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`)
    .join('\n');
}

/** The child that reports who it is: the AWS CLI, as DESIGN.md asks. */
export const CALLER_ARN = ['aws', 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text'];

/** One STS world for the tests of the enclosing describe: started before them, stopped after. */
export function stsWorldForSuite(): { readonly world: StsWorld } {
  let world: StsWorld | undefined;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());
  return {
    get world() {
      if (!world) throw new Error('the STS world has not started');
      return world;
    },
  };
}
