// The kiosk over the controller's real parts on the simulator: the door controller on a virtual GPIO board with
// virtual doors, the offline credential check over the durable desired-state store, the simulator's recording audio
// output, a virtual scanner and headphone-detect switch. Offline throughout, as after a broker outage.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { signMessage, type BankRules, type KioskTimers } from '@portier/protocol';
import { DoorController } from '../../src/doors/index.ts';
import { OfflineAccess } from '../../src/offline/credentials.ts';
import { DesiredStore } from '../../src/store/desired-store.ts';
import { AudioAssistant } from '../../src/kiosk/audio/assistant.ts';
import {
  createControllerKiosk,
  credentialPortFromOffline,
  doorPortFromController,
  type DoorControllerLike,
  type LinkLike,
  type OfflineAccessLike,
} from '../../src/kiosk/adapters.ts';
import type { ControllerLink } from '../../src/link/controller-link.ts';
import { EventEmitter } from 'node:events';
import { KioskEngine } from '../../src/kiosk/engine.ts';
import { attachKioskInputs } from '../../src/kiosk/inputs.ts';
import type { KeypadKey } from '../../src/kiosk/view.ts';
import { RecordingAudioOut, VirtualLineReader, VirtualSwitch } from '@portier/sim';
import { performance } from 'node:perf_hooks';
import { advanceUntil } from '../contract/harness.ts';
import { createGpioFixture } from '../fixtures/gpio-fixture.ts';
import { CODES, CREDENTIAL_KEY, RecordingSink, T0, desiredState } from './helpers.ts';

const { privateKey } = generateKeyPairSync('ed25519');

/** The real setTimeout, captured before any test installs fake timers. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Resolves `p` while advancing fake time in 5 ms steps, letting real I/O (the store's fsync) run between steps. Each
 * step also waits 1 ms of real time, so fake time runs at most about five times faster than real time: a slow fsync
 * on a busy machine cannot make fake minutes pass (and fire the kiosk's timers) while the kiosk waits on it.
 */
async function settle<T>(clock: sinon.SinonFakeTimers, p: Promise<T>, maxFakeMs = 60_000, maxRealMs = 20_000): Promise<T> {
  let done = false;
  let failed = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => { done = true; value = v; },
    (e: unknown) => { done = true; failed = true; error = e; },
  );
  const start = performance.now();
  let fake = 0;
  while (!done && performance.now() - start < maxRealMs) {
    if (fake < maxFakeMs) {
      await clock.tickAsync(5);
      fake += 5;
    }
    await new Promise((r) => realSetTimeout(r, 1));
  }
  if (!done) throw new Error(`promise not settled within ${maxFakeMs} ms of fake time and ${maxRealMs} ms of real time`);
  if (failed) throw error;
  return value as T;
}

async function rig(t: Test, o: { rules?: Partial<BankRules>; timers?: Partial<KioskTimers>; leftOpenMs?: number } = {}) {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const f = await createGpioFixture({ doorCount: 12, maxPulseMs: 600 });
  const ctl = new DoorController({ bus: f.bus, maxPulseMs: 600, pulseMs: 300, pollMs: 50, jamWindowMs: 1000, leftOpenMs: o.leftOpenMs ?? 120_000 });
  const dir = mkdtempSync(join(tmpdir(), 'portier-kiosk-'));
  const store = await DesiredStore.open(dir);
  const state = desiredState({ rules: o.rules ?? {}, timers: o.timers ?? {} });
  await store.apply(signMessage({ v: 1 as const, bankId: 'bank-1', controllerId: 'col-1', version: 1, issuedAt: T0, state }, privateKey));
  await settle(clock, ctl.start());
  const sink = new RecordingSink();
  const engine = new KioskEngine({
    doors: doorPortFromController(ctl),
    credentials: credentialPortFromOffline(new OfflineAccess(store, { cloudNow: () => Date.now(), credentialKey: CREDENTIAL_KEY })),
    state: { current: () => store.desired?.state, isOnline: () => false },
    sink,
    // The door controller reports left-open doors itself.
    reportDoorLeftOpen: false,
  });
  const audio = new RecordingAudioOut({ msPerChar: 1 });
  const assistant = new AudioAssistant({ engine, audio });
  const scanner = new VirtualLineReader('scanner');
  const headphones = new VirtualSwitch(false);
  await scanner.open();
  await headphones.open();
  const detach = attachKioskInputs(engine, { scanner, headphoneDetect: headphones });
  engine.start();
  t.teardown(async () => {
    detach();
    await assistant.close();
    await engine.stop();
    await ctl.stop();
    await f.cleanup();
    clock.restore();
    rmSync(dir, { recursive: true, force: true });
  });
  const idle = (): Promise<void> => settle(clock, engine.settled());
  const press = async (...keys: KeypadKey[]): Promise<void> => {
    for (const k of keys) await settle(clock, engine.keypad(k));
  };
  return { clock, f, ctl, store, engine, sink, audio, scanner, headphones, idle, press };
}

t.test('offline, on simulated hardware: a scanned QR code opens the real virtual doors; closing them is seen', async (t) => {
  const r = await rig(t, { rules: { contactless: true, openAllAtOnce: true } });
  t.ok(r.scanner.scan(CODES.qr));
  await r.idle();
  t.ok(r.f.doors[1]?.open, 'door 2 physically open');
  t.ok(r.f.doors[2]?.open, 'door 3 physically open');
  t.notOk(r.f.doors[0]?.open, 'no other door');
  t.match(r.sink.transactions('pickup')[0], { doors: [2, 3], via: 'qr', offline: true, actor: { role: 'recipient', id: 'r-1' } });
  t.equal(r.engine.screen.lockers.filter((l) => l.state === 'open').length, 2);

  r.f.doors[1]?.close();
  t.ok(await advanceUntil(r.clock, () => r.engine.screen.lockers.find((l) => l.door === 2)?.state === 'closed', 1000), 'the kiosk saw door 2 shut');
  t.ok(r.engine.screen.options.some((o) => o.id === 'reopen'), 'reopen offered');
  await settle(r.clock, r.engine.select('reopen'));
  t.ok(r.f.doors[1]?.open, 'reopened');
  t.equal(r.sink.transactions('reopen')[0]?.offline, true);
});

t.test('blind user on simulated hardware: headphone jack, keypad, recorded speech and tones; one-time code used durably', async (t) => {
  const r = await rig(t, { rules: { openAllAtOnce: true } });
  r.headphones.plug();
  await r.idle();
  t.match(r.audio.spoken('en').at(-1), /Audio mode is on/);
  const tonesBefore = r.audio.tones().length;
  const spokenBefore = r.audio.spoken().length;
  await r.press(...(CODES.pickup.split('') as KeypadKey[]));
  t.equal(r.audio.tones().length - tonesBefore, CODES.pickup.length, 'a tone per digit');
  t.equal(r.audio.spoken().length, spokenBefore, 'nothing spoken while typing');
  await r.press('enter');
  t.ok(r.f.doors[1]?.open && r.f.doors[2]?.open, 'both lockers physically open');
  t.match(r.audio.spoken('en').at(-1), /Open now: locker 12, column 2, third door from the top\./);
  t.ok(r.store.isUsed('cred-pickup'), 'one-time code marked used in the durable store');
  t.notOk(r.audio.spoken().some((s) => s.includes(CODES.pickup)), 'the code was never spoken');

  // Done: the goodbye is heard to its end before the home page is spoken.
  await settle(r.clock, r.engine.select('done'));
  await settle(r.clock, new Promise<void>((resolve) => {
    const check = (): void => (r.audio.spoken().at(-1)?.includes('Welcome') ? resolve() : void setImmediate(check));
    check();
  }), 5000);
  const speech = r.audio.records.filter((x) => x.kind === 'speech');
  const bye = speech.findIndex((x) => x.kind === 'speech' && x.text === 'Thank you. Goodbye.');
  t.ok(bye >= 0, 'goodbye spoken');
  t.match(speech[bye], { interrupted: false }, 'not cut off by the next page');
  t.match(speech[bye + 1], { text: /Welcome/ });
});

t.test('a door left open: the door controller\'s event is warned about and spoken', async (t) => {
  const r = await rig(t, { rules: { openAllAtOnce: true }, leftOpenMs: 3000, timers: { returnHomeAfterPickupS: 60, returnHomeOnInactivityS: 60 } });
  r.headphones.plug();
  await r.press(...(CODES.pickup.split('') as KeypadKey[]), 'enter');
  r.f.doors[2]?.close();
  t.ok(await advanceUntil(r.clock, () => r.engine.screen.warning !== undefined, 5000), 'warned');
  t.match(r.audio.spoken('en').join('\n'), /Please close locker 12, column 2, third door from the top/);
  t.same(r.sink.ofType('door-left-open'), [], 'reported by the door controller, not twice by the kiosk');
  r.f.doors[1]?.close();
  t.ok(await advanceUntil(r.clock, () => r.engine.screen.warning === undefined, 1000), 'warning cleared when shut');
});

// The controller's real parts fit the kiosk's structural types (a compile-time check: tsc fails otherwise).
export const fits: [DoorControllerLike, OfflineAccessLike, LinkLike] = [
  null as unknown as DoorController,
  null as unknown as OfflineAccess,
  null as unknown as ControllerLink,
];

t.test('createControllerKiosk wires engine, audio, devices, link and offline check', async (t) => {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const f = await createGpioFixture({ doorCount: 12, maxPulseMs: 600 });
  const ctl = new DoorController({ bus: f.bus, maxPulseMs: 600, pulseMs: 300, pollMs: 50, jamWindowMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'portier-kiosk-'));
  const store = await DesiredStore.open(dir);
  await settle(clock, ctl.start());
  const sink = new RecordingSink();
  const emitter = new EventEmitter<{ desired: [] }>();
  let online = true;
  const link: LinkLike = {
    publishEvent: async (b) => sink.publishEvent(b),
    status: () => ({ state: online ? 'online' : 'offline' }),
    cloudNow: () => Date.now() + 5000,
    desired: store,
    on: (e, l) => emitter.on(e, l),
    off: (e, l) => emitter.off(e, l),
  };
  const audio = new RecordingAudioOut({ msPerChar: 1 });
  const badgeReader = new VirtualLineReader('badge');
  const headphones = new VirtualSwitch(true);
  await badgeReader.open();
  await headphones.open();
  const kiosk = createControllerKiosk({
    doorController: ctl,
    link,
    offlineAccess: new OfflineAccess(store, { cloudNow: () => link.cloudNow(), credentialKey: CREDENTIAL_KEY }),
    audio,
    badgeReader,
    headphoneDetect: headphones,
  });
  t.teardown(async () => {
    await kiosk.stop();
    await ctl.stop();
    await f.cleanup();
    clock.restore();
    rmSync(dir, { recursive: true, force: true });
  });
  await settle(clock, kiosk.engine.settled());
  t.equal(kiosk.engine.screen.page, 'out-of-order', 'no desired state yet');
  t.equal(kiosk.engine.audioMode, true, 'headphones already plugged at start');

  await store.apply(signMessage({ v: 1 as const, bankId: 'bank-1', controllerId: 'col-1', version: 1, issuedAt: T0, state: desiredState() }, privateKey));
  emitter.emit('desired');
  await settle(clock, kiosk.engine.settled());
  t.equal(kiosk.engine.screen.page, 'home', 'the desired state arrived through the link');
  t.match(audio.spoken('en').join('\n'), /Welcome/);

  online = false;
  t.ok(badgeReader.scan(CODES.operatorBadge));
  await settle(clock, kiosk.engine.settled());
  t.equal(kiosk.engine.screen.page, 'staff-menu');
  await settle(clock, kiosk.engine.select('no-barcode'));
  await settle(clock, kiosk.engine.select('size-L'));
  t.ok(f.doors[11]?.open, 'door 12 physically open');
  t.match(sink.transactions('drop-off')[0], { doors: [12], offline: true, actor: { role: 'operator', id: 'op-1' } });
});
