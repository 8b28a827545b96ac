import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import t from 'tap';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { KioskEngine } from '../../src/kiosk/engine.ts';
import { fileKioskMemory, kioskMemorySchema, type KioskMemory, type KioskMemoryPort } from '../../src/kiosk/memory.ts';
import type { KeypadKey } from '../../src/kiosk/view.ts';
import { CODES, CREDENTIAL_KEY, FakeDoors, FakeState, RecordingSink, T0, desiredState, renderText } from './helpers.ts';

/** Memory as a JSON document that must pass its schema, like the durable file. */
class JsonMemory implements KioskMemoryPort {
  text: string | null = null;
  saves = 0;
  load(): KioskMemory | null {
    return this.text === null ? null : kioskMemorySchema.parse(JSON.parse(this.text));
  }
  save(m: KioskMemory): void {
    this.text = JSON.stringify(kioskMemorySchema.parse(m));
    this.saves++;
  }
}

function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const state = new FakeState(desiredState());
  const memory = new JsonMemory();
  const engines: KioskEngine[] = [];
  t.teardown(async () => {
    for (const e of engines) await e.stop();
    clock.restore();
  });
  /** A controller boot: a fresh engine on the same memory. */
  const boot = async () => {
    const doors = new FakeDoors();
    const sink = new RecordingSink();
    const engine = new KioskEngine({ doors, state, sink, credentials: new DesiredStateCredentials(state, CREDENTIAL_KEY), memory });
    engines.push(engine);
    engine.start();
    await engine.settled();
    const type = async (s: string): Promise<void> => {
      for (const ch of s) await engine.keypad(ch as KeypadKey);
      await engine.keypad('enter');
    };
    return { engine, doors, sink, type, text: () => renderText(engine.screen) };
  };
  return { clock, memory, boot };
}

t.test('storage sessions, local changes and service states survive a restart', async (t) => {
  const { memory, boot } = setup(t);
  const a = await boot();
  await a.engine.keypad('enter');
  await a.engine.select('storage');
  await a.engine.select('size-S');
  await a.engine.select('fixed');
  await a.type('2468');
  await a.type('2468');
  t.same(a.doors.unlocked, [10]);
  await a.engine.badge(CODES.operatorBadge); // ignored on the storage page
  await a.engine.select('done');
  await a.engine.badge(CODES.operatorBadge);
  await a.engine.select('no-barcode');
  await a.engine.select('size-M');
  t.same(a.doors.unlocked, [10, 11]);
  await a.engine.select('back');
  await a.engine.select('service');
  await a.type('22');
  await a.engine.select('set-out');
  await a.engine.stop();
  t.ok(memory.saves > 0, 'saved');

  // Power cut, reboot: the desired state is still the old one (the cloud has not answered yet).
  const b = await boot();
  t.equal(b.engine.screen.page, 'home');
  await b.type('2468');
  t.equal(b.engine.screen.page, 'storage-active', 'the storage PIN still opens the locker');
  await b.engine.select('open');
  t.same(b.doors.unlocked, [10]);
  await b.engine.select('done');
  await b.engine.badge(CODES.operatorBadge);
  await b.engine.select('no-barcode');
  t.notMatch(b.text(), /medium locker/, 'the locker filled before the restart is not offered');
  t.notMatch(b.text(), /large locker/, 'locker 22 is still out of service (locker 14 is reserved)');
});

t.test('a lock-out survives a restart', async (t) => {
  const { clock, boot } = setup(t);
  const a = await boot();
  for (let i = 0; i < 10; i++) {
    const wait = Math.max(0, (a.engine.screen.waitUntil ?? 0) - Date.now());
    if (wait) await clock.tickAsync(wait);
    await a.type('000000');
  }
  t.equal(a.engine.screen.page, 'locked-out');
  await a.engine.stop();
  await clock.tickAsync(60_000);
  const b = await boot();
  t.equal(b.engine.screen.page, 'locked-out', 'still locked after the reboot');
  await b.type(CODES.pickup);
  t.same(b.doors.unlocked, []);
  await clock.tickAsync(4 * 60_000);
  await b.engine.settled();
  t.equal(b.engine.screen.page, 'home');
  await b.type(CODES.pickup);
  t.same(b.doors.unlocked, [2]);
});

t.test('a storage whose end passed while the controller was off ends at start-up', async (t) => {
  const { clock, boot } = setup(t);
  const a = await boot();
  await a.engine.keypad('enter');
  await a.engine.select('storage');
  await a.engine.select('size-S');
  await a.engine.select('chosen');
  await a.type('1');
  await a.type('1357');
  await a.type('1357');
  await a.engine.stop();
  await clock.tickAsync(2 * 3_600_000);
  const b = await boot();
  await clock.tickAsync(0);
  await b.engine.settled();
  t.match(b.sink.transactions('storage-end')[0], { doors: [10], actor: { role: 'system' } });
});

t.test('the durable file: saved, read back after a restart, a corrupt one set aside', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-kiosk-mem-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kiosk.json');
  const m: KioskMemory = {
    v: 1,
    keySalt: 'c2FsdHNhbHRzYWx0c2FsdA',
    storages: [{ id: 'st-1', door: 3, pinKey: 'abcdefghijklmnopqrstuvwxyz', startedAt: 1, endsAt: 2, noEnd: false }],
    reservations: [['res-1', null], ['local-1', { id: 'local-1', kind: 'package', status: 'occupied', door: 4, trackingIds: [] }]],
    service: [[5, 'out-of-service']],
    throttle: { failures: 2, nextAllowedAt: 0, lockedUntil: 0 },
    localSeq: 1,
  };
  const a = fileKioskMemory(path);
  t.equal(await a.load(), null, 'nothing yet');
  await a.save(m);
  t.same(await fileKioskMemory(path).load(), m);
  writeFileSync(path, '{"v":1,"keySalt":');
  const c = fileKioskMemory(path);
  t.equal(await c.load(), null, 'corrupt: start afresh');
  t.ok(readdirSync(dir).some((f) => f.startsWith('kiosk.json.corrupt-')), 'set aside, not deleted');
});
