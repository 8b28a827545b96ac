// The Firmata device emulator, byte for byte (as a host would see it on the serial line).
import t from 'tap';
import { VirtualDoor, FIRMATA, FirmataDevice, MODES, VirtualPinBank } from '@portier/sim';

function rig() {
  const door = new VirtualDoor(1, { springDelayMs: 0, releaseAfterMs: 0 });
  const bank = new VirtualPinBank({ wiring: [{ door, lockPin: 2, sensorPin: 9 }], pinCount: 12 });
  const device = new FirmataDevice({ bank, firmwareName: 'Test.ino' });
  const sent: number[] = [];
  device.attach({ write: (b: Buffer) => sent.push(...b), on: () => undefined, removeListener: () => undefined });
  t.teardown(() => {
    device.dispose();
    bank.dispose();
    door.dispose();
  });
  return { door, bank, device, sent };
}

/** Feeds `bytes` split at every boundary pattern: one byte per chunk. */
function feedBytewise(device: FirmataDevice, bytes: number[]): void {
  for (const b of bytes) device.feed(Uint8Array.of(b));
}

t.test('handshake: version, firmware name, capabilities and analog mapping', async (t) => {
  const { device, sent } = rig();
  device.feed(Uint8Array.of(FIRMATA.REPORT_VERSION));
  t.same(sent.splice(0), [0xf9, 2, 5]);
  device.feed(Uint8Array.of(0xf0, 0x79, 0xf7));
  const name = [...Buffer.from('Test.ino')].flatMap((c) => [c, 0]);
  t.same(sent.splice(0), [0xf0, 0x79, 2, 5, ...name, 0xf7]);
  device.feed(Uint8Array.of(0xf0, 0x6b, 0xf7));
  const caps = sent.splice(0);
  t.equal(caps[0], 0xf0);
  t.equal(caps[1], 0x6c);
  t.equal(caps.at(-1), 0xf7);
  const pins = caps.slice(2, -1).join(',').split(',127').filter((s) => s !== '');
  t.equal(pins.length, 12, 'one capability block per pin');
  t.same(pins[2]!.replace(/^,/, ''), '1,1', 'lock pin: OUTPUT only');
  t.same(pins[9]!.replace(/^,/, ''), '0,1,11,1', 'sensor pin: INPUT and PULLUP');
  device.feed(Uint8Array.of(0xf0, 0x69, 0xf7));
  t.same(sent.splice(0), [0xf0, 0x6a, ...Array(12).fill(0x7f), 0xf7], 'no analog pins');
});

t.test('commands split into single bytes drive the lock; a reset releases it', async (t) => {
  const { door, device, bank } = rig();
  feedBytewise(device, [FIRMATA.SET_PIN_MODE, 2, MODES.OUTPUT, FIRMATA.DIGITAL_MESSAGE | 0, 0b0000100, 0]);
  t.ok(door.lockEnergised, 'DIGITAL_MESSAGE port 0 bit 2 energises lock pin 2');
  feedBytewise(device, [FIRMATA.SET_DIGITAL_PIN_VALUE, 2, 0]);
  t.notOk(door.lockEnergised, 'SET_DIGITAL_PIN_VALUE 0 releases it');
  device.feed(Uint8Array.of(FIRMATA.SET_DIGITAL_PIN_VALUE, 2, 1, 0x42 /* stray */, FIRMATA.SYSTEM_RESET));
  t.notOk(door.lockEnergised, 'SYSTEM_RESET releases every lock');
  t.equal(bank.mode(2), undefined, 'and lets the pins float');
  t.equal(door.energised.length, 2);
});

t.test('REPORT_DIGITAL answers at once and on every input change; bad commands are refused with a string', async (t) => {
  const { door, device, sent } = rig();
  const refused: string[] = [];
  device.on('refused', (e) => refused.push(e.code));
  device.feed(Uint8Array.of(FIRMATA.SET_PIN_MODE, 9, MODES.INPUT, FIRMATA.REPORT_DIGITAL | 1, 1));
  t.same(sent.splice(0), [0x91, 0, 0], 'port 1 reported: door closed');
  door.force();
  t.same(sent.splice(0), [0x91, 0b10, 0], 'door open: pin 9 (port 1 bit 1) high');
  device.feed(Uint8Array.of(FIRMATA.SET_PIN_MODE, 9, MODES.OUTPUT));
  device.feed(Uint8Array.of(FIRMATA.SET_PIN_MODE, 60, MODES.OUTPUT));
  t.same(refused, ['UNSUPPORTED_MODE', 'UNKNOWN_PIN']);
  t.equal(sent[0], 0xf0);
  t.equal(sent[1], FIRMATA.STRING_DATA, 'reported to the host as STRING_DATA');
  sent.splice(0);
  device.feed(Uint8Array.of(FIRMATA.REPORT_DIGITAL | 1, 0));
  door.close();
  t.same(sent, [], 'no reports once reporting is off');
});

t.test('a sysex cut short by a command byte is dropped, the command still runs', async (t) => {
  const { device, door } = rig();
  device.feed(Uint8Array.of(0xf0, 0x79, 0x01, FIRMATA.SET_PIN_MODE, 2, MODES.OUTPUT, FIRMATA.SET_DIGITAL_PIN_VALUE, 2, 1));
  t.ok(door.lockEnergised);
});
