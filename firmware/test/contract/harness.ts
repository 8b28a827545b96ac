// Test helpers shared by the door-controller tests and the lock-bus contract suite.
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { HalError, type BusHealth, type DoorReading, type LockBus, type LockBusEventMap } from '@portier/firmware/hal';
import type { Cu16Dialect } from '../../src/hal/kerong-cu16/dialect.ts';
import type { VirtualDoor } from '@portier/sim';
import { createGpioFixture } from '../fixtures/gpio-fixture.ts';
import { createGpioFirmataFixture } from '../fixtures/gpio-firmata-fixture.ts';
import { createCu16Fixture } from '../fixtures/cu16-fixture.ts';
import type { BusFixture, BusFixtureOptions } from '../fixtures/types.ts';

export type MakeFixture = (o: BusFixtureOptions) => Promise<BusFixture>;

/** The KR-CU16 dialects: status query 0x30 or 0x32, unlock answered by a status frame or a short acknowledgement. */
export const CU16_DIALECTS: readonly Cu16Dialect[] = [
  { statusQuery: 0x30, unlockReply: 'status' },
  { statusQuery: 0x32, unlockReply: 'status' },
  { statusQuery: 0x30, unlockReply: 'ack' },
  { statusQuery: 0x32, unlockReply: 'ack' },
];

/** Captured before any test installs fake timers (setImmediate is never faked here anyway). */
const realSetImmediate = globalThis.setImmediate;
export const yieldReal = (): Promise<void> => new Promise((r) => realSetImmediate(r));

/**
 * Every fixture available: gpio on the in-process virtual board, gpio through firmata-io and the Firmata device
 * emulator (bytes on a stream), and kerong-cu16 on virtual boards in each dialect met in the field.
 */
export function allFixtures(): Promise<Array<{ name: string; make: MakeFixture }>> {
  const list: Array<{ name: string; make: MakeFixture }> = [
    { name: 'gpio', make: createGpioFixture },
    { name: 'gpio-firmata', make: createGpioFirmataFixture },
    { name: 'kerong-cu16', make: createCu16Fixture },
  ];
  // Every KR-CU16 dialect met in the field, each detected by the bus at start.
  for (const d of CU16_DIALECTS.slice(1)) {
    list.push({ name: `kerong-cu16 (query 0x${d.statusQuery.toString(16)}, unlock ${d.unlockReply})`, make: (o) => createCu16Fixture({ ...o, dialect: d }) });
  }
  return Promise.resolve(list);
}

/**
 * Fake time for timers and Date only: setImmediate and process.nextTick stay real, because
 * serialport's mock binding and johnny-five's ready handshake use them.
 */
export function fakeClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 1_000_000 });
}

/** Advances fake time in small steps, letting real I/O callbacks (setImmediate) run between steps. */
export async function advance(clock: sinon.SinonFakeTimers, ms: number, step = 5): Promise<void> {
  let left = ms;
  while (left > 0) {
    const d = Math.min(step, left);
    await clock.tickAsync(d);
    await yieldReal();
    await yieldReal();
    left -= d;
  }
}

/** Advances until `pred()` holds or `maxMs` of fake time passed; returns whether it held. */
export async function advanceUntil(clock: sinon.SinonFakeTimers, pred: () => boolean, maxMs: number, step = 5): Promise<boolean> {
  for (let t = 0; t < maxMs && !pred(); t += step) await advance(clock, step, step);
  return pred();
}

/** Resolves a promise while advancing fake time (bounded). */
export async function settle<T>(clock: sinon.SinonFakeTimers, p: Promise<T>, maxMs = 10_000, step = 5): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      error = e;
    },
  );
  await advanceUntil(clock, () => done, maxMs, step);
  if (!done) throw new Error(`promise not settled within ${maxMs} ms of fake time`);
  if (failed) throw error;
  return value as T;
}

/** The largest number of locks energised at the same time, from the recorded intervals. */
export function maxConcurrentEnergised(doors: VirtualDoor[], now = Date.now()): number {
  const edges: Array<[number, number]> = [];
  for (const d of doors) for (const i of d.energised) edges.push([i.from, 1], [i.to ?? now, -1]);
  // Ends before starts at the same instant: a slot handed over is not an overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, delta] of edges) {
    cur += delta;
    max = Math.max(max, cur);
  }
  return max;
}

/** Longest energised interval across doors. */
export function longestPulse(doors: VirtualDoor[], now = Date.now()): number {
  return Math.max(0, ...doors.map((d) => d.maxEnergisedMs(now)));
}

/** Collects events of an emitter by name, in order. */
export function record<M extends Record<string, unknown[]>>(em: EventEmitter<M>, names: Array<keyof M & string>): Array<{ name: string; arg: unknown }> {
  const out: Array<{ name: string; arg: unknown }> = [];
  for (const n of names) {
    (em as unknown as EventEmitter).on(n, (arg: unknown) => out.push({ name: n, arg }));
  }
  return out;
}

/**
 * A LockBus decorator that fails reads or unlocks on demand, as a silent bus would: the same
 * failure for both adapters, so the controller's counting is tested independently of wiring.
 */
export class FlakyBus extends EventEmitter<LockBusEventMap> implements LockBus {
  failReads = 0;
  failAllReads = false;
  failUnlocks = false;
  constructor(readonly inner: LockBus) {
    super();
    inner.on('health', (h) => this.emit('health', h));
    inner.on('error', (e) => this.emit('error', e));
  }
  get kind(): LockBus['kind'] {
    return this.inner.kind;
  }
  get doors(): readonly number[] {
    return this.inner.doors;
  }
  unlockReportsStatus(door: number): boolean {
    return this.inner.unlockReportsStatus?.(door) === true;
  }
  open(): Promise<void> {
    return this.inner.open();
  }
  unlock(door: number, pulseMs: number): Promise<DoorReading[] | void> {
    if (this.failUnlocks) return Promise.reject(new HalError('BUS_TIMEOUT', 'no answer (injected)'));
    return this.inner.unlock(door, pulseMs);
  }
  readDoors(): Promise<DoorReading[]> {
    if (this.failAllReads || this.failReads > 0) {
      if (this.failReads > 0) this.failReads--;
      return Promise.reject(new HalError('BUS_TIMEOUT', 'no answer (injected)'));
    }
    return this.inner.readDoors();
  }
  safe(): Promise<void> {
    return this.inner.safe();
  }
  health(): BusHealth {
    return this.inner.health();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
