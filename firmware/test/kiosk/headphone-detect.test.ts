// Switching audio on on a real kiosk: the headphone-detect contact on a GPIO input (debounced like the door sensors),
// or the repeat key on hardware without a detect line; the configuration that says which, validated with clear
// errors; a configuration file of the previous release still loads.
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RecordingAudioOut, VirtualDoor, startFirmataOnPty, VirtualGpioBoard, VirtualPinBank, socatAvailable } from '@portier/sim';
import { pino } from 'pino';
import type { IoPlugin } from '../../src/hal/gpio/index.ts';
import { GpioSwitchInput } from '../../src/hal/gpio/gpio-switch.ts';
import { AudioAssistant } from '../../src/kiosk/audio/assistant.ts';
import { openHeadphoneDetect } from '../../src/kiosk/headphone-detect.ts';
import { attachKioskInputs } from '../../src/kiosk/inputs.ts';
import { gpioHeadphoneDetectSchema, loadRuntimeConfig, validateRuntimeConfig } from '../../src/runtime/config.ts';
import { createKiosk } from './helpers.ts';

/**
 * The jack's detect contact on pin 3 of a virtual GPIO board. The virtual board reads an input through a door sensor,
 * so a virtual door stands in for the contact: forced open = contact open = plug in (pull-up reads 1).
 */
function jackOnBoard(): { board: VirtualGpioBoard; plug(): void; unplug(): void } {
  const contact = new VirtualDoor(1);
  const board = new VirtualGpioBoard({ wiring: [{ door: contact, lockPin: 2, sensorPin: 3, sensorOpenLevel: 1 }], pinCount: 8 });
  return { board, plug: () => contact.force(), unplug: () => contact.close() };
}

t.test('a GPIO headphone-detect input switches audio mode on and off, a bounce shorter than the debounce is ignored', async (t) => {
  const k = createKiosk(t);
  const jack = jackOnBoard();
  t.teardown(() => jack.board.dispose());
  const audio = new RecordingAudioOut({ volume: 60 });
  const assistant = new AudioAssistant({ engine: k.engine, audio });
  t.teardown(() => assistant.close());
  const detect = new GpioSwitchInput({ io: jack.board as unknown as IoPlugin, pin: 3, onLevel: 1, pull: 'up', debounceMs: 50 });
  await detect.open();
  t.teardown(() => detect.close());
  t.equal(detect.value, false, 'nothing plugged at start');
  const detach = attachKioskInputs(k.engine, { headphoneDetect: detect });
  t.teardown(detach);

  jack.plug();
  await k.tick(20);
  jack.unplug();
  await k.tick(100);
  t.equal(k.engine.audioMode, false, 'a 20 ms bounce does not switch audio on');
  t.equal(audio.spoken().length, 0);

  jack.plug();
  await k.tick(60);
  t.equal(k.engine.audioMode, true, 'plugged: audio mode');
  t.match(audio.spoken('en').at(-1), /Audio mode is on\. Press R to hear this again/);
  jack.unplug();
  await k.tick(60);
  t.equal(k.engine.audioMode, false, 'unplugged: quiet again');
});

t.test('the pin is read through the pull-up when asked, plain otherwise; a missing board is a clear error', async (t) => {
  const jack = jackOnBoard();
  t.teardown(() => jack.board.dispose());
  const up = new GpioSwitchInput({ io: jack.board as unknown as IoPlugin, pin: 3, onLevel: 1, pull: 'up' });
  await up.open();
  t.equal(jack.board.bank.mode(3), 0x0b, 'PULLUP mode');
  await up.close();
  const plain = new GpioSwitchInput({ io: jack.board as unknown as IoPlugin, pin: 3, onLevel: 0, pull: 'none' });
  await plain.open();
  t.equal(jack.board.bank.mode(3), 0x00, 'INPUT mode');
  t.equal(plain.value, true, 'active-low contact: level 0 reads as plugged');
  await plain.close();

  const silent = new VirtualGpioBoard({ wiring: [], pinCount: 4 });
  silent.isReady = false;
  const never = new GpioSwitchInput({ io: silent as unknown as IoPlugin, pin: 1, onLevel: 1, pull: 'up', readyTimeoutMs: 100 });
  await t.rejects(never.open(), { code: 'BUS_TIMEOUT', message: /not ready within 100 ms/ });
});

t.test(
  'the configured detect line over a real Firmata board on a serial port (socat pty): the plug is seen',
  { skip: socatAvailable() ? false : 'socat not installed (apt-get install -y socat)' },
  async (t) => {
    const contact = new VirtualDoor(1);
    const bank = new VirtualPinBank({ wiring: [{ door: contact, lockPin: 2, sensorPin: 3, sensorOpenLevel: 1 }], pinCount: 8 });
    const board = await startFirmataOnPty(bank);
    t.teardown(async () => {
      await board.close();
      bank.dispose();
      contact.dispose();
    });
    const cfg = gpioHeadphoneDetectSchema.parse({ kind: 'gpio', io: { type: 'firmata', path: board.controllerPath, reportVersionTimeoutMs: 50 }, pin: 3, debounceMs: 20 });
    const detect = await openHeadphoneDetect(cfg, pino({ level: 'silent' }));
    t.teardown(() => detect.close());
    t.equal(detect.value, false, 'nothing plugged');
    const seen = new Promise<boolean>((resolve) => detect.once('change', resolve));
    contact.force();
    const bound = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref());
    t.equal(await Promise.race([seen, bound]), true, 'plugged, within the bound');
    t.equal(detect.value, true);
  },
);

const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const base = {
  hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 16 } },
  link: { brokerUrl: 'mqtt://h:1', bankId: 'b', controllerId: 'c', secret: 'z'.repeat(10), cloudPublicKey: pem },
};

t.test('kiosk.headphoneDetect: none, key, or a GPIO input, with defaults', async (t) => {
  for (const v of ['none', 'key'] as const) {
    const r = await validateRuntimeConfig({ ...base, kiosk: { headphoneDetect: v } });
    t.ok(r.ok && r.config.kiosk?.headphoneDetect === v, `${v} accepted`);
  }
  const r = await validateRuntimeConfig({ ...base, kiosk: { headphoneDetect: { kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM2' }, pin: 7 } } });
  if (!r.ok) return t.fail(JSON.stringify(r.problems));
  t.same(r.config.kiosk?.headphoneDetect, {
    kind: 'gpio',
    io: { type: 'firmata', path: '/dev/ttyACM2', baudRate: 57600, reportVersionTimeoutMs: 200 },
    pin: 7,
    pluggedLevel: 1,
    pull: 'up',
    debounceMs: 50,
  });
  const labels = await validateRuntimeConfig({ ...base, kiosk: { keyLabels: { repeat: '*', stop: '#' } } });
  t.ok(labels.ok && labels.config.kiosk?.keyLabels?.repeat === '*', 'key labels');
});

t.test('kiosk.headphoneDetect errors name the setting and what is allowed', async (t) => {
  const problems = async (headphoneDetect: unknown, extra: Record<string, unknown> = {}) => {
    const r = await validateRuntimeConfig({ ...base, ...extra, kiosk: { headphoneDetect } });
    t.notOk(r.ok);
    return r.ok ? [] : r.problems;
  };
  t.match(await problems('maybe'), [{ path: 'kiosk.headphoneDetect.kind', message: /must be one of "none", "key", "gpio"/ }]);
  t.match(await problems({ kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM2' }, pin: 500 }), [
    { path: 'kiosk.headphoneDetect.pin', message: /500 is too big/ },
  ]);
  t.match(await problems({ kind: 'gpio', pin: 4 }), [{ path: 'kiosk.headphoneDetect.io', message: /missing/ }]);
  t.match(await problems({ kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM2' }, pin: 4, pluggedLevel: 2 }), [
    { path: 'kiosk.headphoneDetect.pluggedLevel' },
  ]);
  t.match(await problems({ kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM2' }, pin: 4, pul: 'up' }), [
    { path: 'kiosk.headphoneDetect.pul', message: /not a known setting/ },
  ]);
  t.match(
    await problems(
      { kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM0' }, pin: 4 },
      { hardware: { bus: { kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM0' }, pins: { '1': { lockPin: 2, sensorPin: 3 } } } } },
    ),
    [{ path: 'kiosk.headphoneDetect.io.path', message: /already used by hardware.bus.io.path/ }],
  );
});

t.test('a controller configuration file written by the previous release still loads, unchanged in meaning', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-kiosk-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(new URL('./fixtures/controller-kiosk-previous-release.yaml', import.meta.url), join(dir, 'controller.yaml'));
  writeFileSync(join(dir, 'cloud.pem'), pem);
  const r = await loadRuntimeConfig(join(dir, 'controller.yaml'));
  if (!r.ok) return t.fail(JSON.stringify(r.problems));
  t.match(r.config.kiosk, {
    enabled: true,
    headphoneDetect: 'none',
    language: 'fr',
    storageDayEndsAt: '21:30',
    audio: { adapter: 'espeak', volume: 70 },
    scanner: { path: '/dev/ttyACM0' },
  });
  t.equal(r.config.kiosk?.keyLabels, undefined, 'no key labels: the defaults are named');
});
