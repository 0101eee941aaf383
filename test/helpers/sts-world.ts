/**
 * One moto server and one fault proxy (recording, and faulty on demand) per test file, with a sandbox
 * HOME whose environment points STS at the proxy. Base secrets are random so
 * a test can prove they never leak (moto's own answers are fixed examples).
 */
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach } from 'node:test';
import { startMoto, type MotoServer } from './moto-server.js';
import { makeSandbox, type Sandbox } from './sandbox.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

export interface StsWorld {
  readonly moto: MotoServer;
  readonly proxy: FaultProxy;
  sandbox(extraEnv?: Record<string, string>): Sandbox;
  stop(): Promise<void>;
}

/** moto, the recording proxy in front of it, and sandboxes whose STS is the proxy. */
export async function startStsWorld(): Promise<StsWorld> {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.url);
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
      // Every sandbox cleaned (its agent stopped) and moto stopped even when one cleanup fails: a moto left running keeps the test file from ending.
      const failures: unknown[] = [];
      for (const box of sandboxes) {
        try {
          box.cleanup();
        } catch (error) {
          failures.push(error);
        }
      }
      await proxy.stop();
      await moto.stop();
      if (failures.length) throw failures[0];
    },
  };
}

/** A fresh, valid-looking long-term key pair nobody else uses. */
export function randomKeys(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/** Keys profile "base" and roles over it (name -> role name), all in eu-west-1, with extra lines for every role. */
export function rolesOverBase(roles: Record<string, string>, roleLines = ''): string {
  const sections = Object.entries(roles).map(
    ([profile, role]) => `[profile ${profile}]\nrole_arn = arn:aws:iam::123456789012:role/${role}\nsource_profile = base\nregion = eu-west-1\n${roleLines}`,
  );
  return ['[profile base]\nregion = eu-west-1\n', ...sections].join('\n');
}

export function credentialsFile(profiles: Record<string, { accessKeyId: string; secretAccessKey: string }>): string {
  return Object.entries(profiles)
    .map(([name, k]) => `[${name}]\naws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`)
    .join('\n');
}

/** The child that reports who it is: the AWS CLI (docs/ARCHITECTURE.md, the peers). */
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

/**
 * For a describe block whose tests each start from an empty HOME: one world
 * for the block, a fresh sandbox (prepared by `prepare`) and a proxy with no
 * calls, delays or holds before each test. Call it in the describe callback;
 * read the getters in tests.
 */
export function stsWorldPerTest(prepare: (box: Sandbox) => void, env: Record<string, string> = {}): { readonly world: StsWorld; readonly box: Sandbox } {
  let world: StsWorld | undefined;
  let box: Sandbox | undefined;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());
  beforeEach(() => {
    if (!world) return;
    world.proxy.reset();
    box = world.sandbox(env);
    prepare(box);
  });
  return {
    get world() {
      if (!world) throw new Error('the STS world has not started');
      return world;
    },
    get box() {
      if (!box) throw new Error('no sandbox yet: read it inside a test');
      return box;
    },
  };
}
