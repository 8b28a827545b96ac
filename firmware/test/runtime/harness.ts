// A whole controller (startController) on virtual KR-CU16 boards over serialport's mock binding, connected to a real
// aedes broker on 127.0.0.1 with the DESIGN.md access rules, and a service-account client that signs commands,
// desired states and evtacks with the test's own key (firmware tests never import cloud/).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { hashCredential, type DesiredState } from '@portier/protocol';
import { RecordingAudioOut, VirtualLineReader, VirtualSwitch } from '@portier/sim';
import { validateRuntimeConfig } from '../../src/runtime/config.ts';
import { startController, type RunningController } from '../../src/runtime/controller-runtime.ts';
import { createCu16Fixture, type Cu16Fixture } from '../fixtures/cu16-fixture.ts';
import { startTestBroker, type TestBroker } from '../link/helpers/broker.ts';
import { TestCloud, sampleState, waitForEvent } from '../link/helpers/cloud.ts';

export const BANK = 'bank-rt';
export const CTRL = 'col-rt-1';
export const SECRET = 'secret-col-rt-1';
export const PICKUP_CODE = '482913';
export const HASH = { alg: 'scrypt' as const, salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 };

/** Four lockers (the link tests' three and a fourth); door 3 out of service; a one-time pickup code for the package in door 2. */
export function bankState(over: Partial<DesiredState> = {}): DesiredState {
  return sampleState({
    doors: [...sampleState().doors, { door: 4, locker: 104, size: 'L', column: 1, fromTop: 4, accessible: true, service: 'in-service' }],
    credentialHash: HASH,
    credentials: [
      {
        id: 'cred-1',
        kind: 'pickup-code',
        hash: hashCredential('pickup-code', PICKUP_CODE, HASH),
        role: 'recipient',
        subjectId: 'alice',
        doors: [2],
        reservationIds: ['res-1'],
        oneTime: true,
      },
    ],
    reservations: [{ id: 'res-1', kind: 'package', status: 'occupied', door: 2, trackingIds: ['1Z-RT-1'], recipientId: 'alice' }],
    ...over,
  });
}

export interface Rig {
  broker: TestBroker;
  cloud: TestCloud;
  key: KeyObject;
  f: Cu16Fixture;
  rt: RunningController;
  audio: RecordingAudioOut;
  dir: string;
  target: { bankId: string; controllerId: string };
  /** Events the cloud received from this controller, parsed. */
  events(): Array<{ seq: number; event: { type: string; [k: string]: unknown } }>;
  waitEvent(pred: (e: { seq: number; event: { type: string; [k: string]: unknown } }) => boolean, ms?: number): Promise<{ seq: number; event: { type: string; [k: string]: unknown } }>;
  /** Sends a signed desired state and waits until the controller applied it. */
  sendDesired(version: number, state: DesiredState): Promise<void>;
}

export async function rig(t: Test, opts: { kiosk?: boolean; scannerPath?: string } = {}): Promise<Rig> {
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'portier-rt-'));
  const broker = await startTestBroker([{ bankId: BANK, controllerId: CTRL, secret: SECRET }]);
  const cloud = await TestCloud.connect(broker.url, key);
  const f = await createCu16Fixture({ doorCount: 4, maxPulseMs: 600, behaviour: { springDelayMs: 10 } });
  const v = await validateRuntimeConfig({
    log: { level: 'silent' },
    hardware: {
      bus: { kind: 'kerong-cu16', path: '/dev/portier-test-unused', doorCount: 4, replyTimeoutMs: 50 },
      doors: { maxPulseMs: 600, pulseMs: 200, pollMs: 20, jamWindowMs: 1000, leftOpenMs: 60_000 },
    },
    link: { brokerUrl: broker.url, bankId: BANK, controllerId: CTRL, column: 1, secret: SECRET, cloudPublicKey: pem, dataDir: join(dir, 'data') },
    ...(opts.kiosk ? { kiosk: { enabled: true, audio: 'none', language: 'en', ...(opts.scannerPath ? { scanner: { path: opts.scannerPath } } : {}) } } : {}),
  });
  if (!v.ok) throw new Error(`test config invalid: ${JSON.stringify(v.problems)}`);
  const audio = new RecordingAudioOut({ msPerChar: 0.01 });
  const scanner = new VirtualLineReader('scanner');
  const headphoneDetect = new VirtualSwitch(false);
  await scanner.open();
  await headphoneDetect.open();
  const rt = await startController({
    config: v.config,
    bus: f.bus,
    audio,
    inputs: opts.scannerPath ? { headphoneDetect } : { scanner, headphoneDetect },
    linkOverrides: { backoff: { minMs: 30, maxMs: 150 }, evtackTimeoutMs: 400 },
  });
  t.teardown(async () => {
    await rt.stop();
    await f.cleanup();
    await cloud.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  if (rt.link!.status().state !== 'online') await waitForEvent(rt.link!, 'state', (s: { state: string }) => s.state === 'online');
  const parsed = () =>
    cloud.of('evt', CTRL).map((r) => r.json as { seq: number; event: { type: string; [k: string]: unknown } });
  return {
    broker,
    cloud,
    key,
    f,
    rt,
    audio,
    dir,
    target: { bankId: BANK, controllerId: CTRL },
    events: parsed,
    async waitEvent(pred, ms = 4000) {
      const r = await cloud.waitFor((m) => m.channel === 'evt' && m.controllerId === CTRL && pred(m.json as never), ms);
      return r.json as never;
    },
    async sendDesired(version, state) {
      const applied = waitForEvent(rt.link!, 'desired', (d: { desired: { version: number } }) => d.desired.version === version, 4000);
      await cloud.sendDesired(BANK, CTRL, version, state);
      await applied;
    },
  };
}
