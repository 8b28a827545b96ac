import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Test } from 'tap';
import { ControllerLink, type ControllerLinkOptions } from '../../../src/link/controller-link.ts';
import { startTestBroker, type TestBroker } from './broker.ts';
import { startMosquitto } from './mosquitto.ts';
import { FakeExecutor, TestCloud, waitForEvent } from './cloud.ts';

export const BANK = 'bank-1';
export const CTRL = 'col-1';
export const OTHER = 'col-2';
export const SECRET = 's3cret-col-1';
export const OTHER_SECRET = 'other-secret';

export interface Fixture {
  broker: TestBroker;
  cloud: TestCloud;
  key: KeyObject;
  publicKey: KeyObject;
  wrongKey: KeyObject;
  dir: string;
  executor: FakeExecutor;
  target: { bankId: string; controllerId: string };
  /** Starts a link on `dir` (or the fixture's) and waits until it is online. */
  startLink(over?: Partial<ControllerLinkOptions>, waitOnline?: boolean): Promise<ControllerLink>;
}

export async function fixture(t: Test, opts: { broker?: 'aedes' | 'mosquitto' } = {}): Promise<Fixture> {
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const { privateKey: wrongKey } = generateKeyPairSync('ed25519');
  const dir = mkdtempSync(join(tmpdir(), 'portier-link-'));
  const identities = [
    { bankId: BANK, controllerId: CTRL, secret: SECRET },
    { bankId: BANK, controllerId: OTHER, secret: OTHER_SECRET },
  ];
  const broker = opts.broker === 'mosquitto' ? await startMosquitto(identities) : await startTestBroker(identities);
  const cloud = await TestCloud.connect(broker.url, key);
  const executor = new FakeExecutor();
  const links: ControllerLink[] = [];
  t.teardown(async () => {
    for (const l of links) await l.stop().catch(() => undefined);
    await cloud.close();
    await (broker.dispose ? broker.dispose() : broker.stop());
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    broker,
    cloud,
    key,
    publicKey,
    wrongKey,
    dir,
    executor,
    target: { bankId: BANK, controllerId: CTRL },
    async startLink(over = {}, waitOnline = true) {
      const link = new ControllerLink({
        brokerUrl: broker.url,
        bankId: BANK,
        controllerId: CTRL,
        secret: SECRET,
        cloudPublicKey: publicKey,
        dataDir: dir,
        executor,
        backoff: { minMs: 50, maxMs: 200 },
        ...over,
      });
      links.push(link);
      const online = waitOnline ? waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'online', 5000) : undefined;
      await link.start();
      await online;
      return link;
    },
  };
}
