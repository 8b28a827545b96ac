import t from 'tap';
import fc from 'fast-check';
import {
  Cu16Cmd,
  STX,
  checksum,
  decodeStatus,
  encodeFrame,
  setPulseCommand,
  statusQuery,
  statusReply,
  toAddr,
  unlockCommand,
  type Cu16Frame,
} from '../../../src/hal/kerong-cu16/frame.ts';
import { Cu16Parser, type Cu16ParseEvent } from '../../../src/hal/kerong-cu16/parser.ts';
import { HalError } from '@portier/firmware/hal';

const frames = (evs: Cu16ParseEvent[]): Cu16Frame[] => evs.flatMap((e) => ('frame' in e ? [e.frame] : []));
const errors = (evs: Cu16ParseEvent[]): string[] => evs.flatMap((e) => ('error' in e ? [e.error.code] : []));
const plain = (f: Cu16Frame) => ({ addr: f.addr, cmd: f.cmd, data: Array.from(f.data) });

/** Every frame kind the protocol has, including ADDR and DATA bytes equal to STX/ETX. */
const samples: Buffer[] = [
  statusQuery(0),
  statusQuery(9),
  unlockCommand(0, 2), // ADDR 0x02 = STX
  unlockCommand(0, 3), // ADDR 0x03 = ETX
  unlockCommand(9, 15),
  statusReply(toAddr(1, 0), { locks: 0x0302, infrared: 0x0203 }),
  statusReply(toAddr(0, 2), { locks: 0xffff, infrared: 0 }),
  setPulseCommand(3, 0x0203),
  encodeFrame({ addr: 0x10, cmd: Cu16Cmd.PULSE_REPLY, data: Uint8Array.of(1, 44) }),
];

t.test('codec: the documented bytes', async (t) => {
  t.same([...statusQuery(0)], [0x02, 0x00, 0x30, 0x03, 0x35], 'status query of board 0');
  t.same([...unlockCommand(1, 0)], [0x02, 0x10, 0x31, 0x03, 0x46], 'unlock board 1 lock 0: ADDR 0x10');
  t.equal(checksum(Uint8Array.of(0xff, 0x02)), 0x01, 'SUM is the low byte');
  const reply = statusReply(0x05, { locks: 0x8001, infrared: 0x0100 });
  t.same([...reply], [0x02, 0x05, 0x35, 0x01, 0x80, 0x00, 0x01, 0x03, (0x02 + 0x05 + 0x35 + 0x01 + 0x80 + 0x01 + 0x03) & 0xff]);
  t.same(decodeStatus(reply.subarray(3, 7)), { locks: 0x8001, infrared: 0x0100 });
  t.throws(() => toAddr(10, 0), RangeError, 'only 10 boards');
  t.throws(() => encodeFrame({ addr: 0, cmd: 0x99, data: new Uint8Array(0) }), RangeError);
});

t.test('every valid frame split at every byte boundary parses to the same frame', async (t) => {
  for (const bytes of samples) {
    const want = new Cu16Parser().push(bytes);
    t.equal(frames(want).length, 1, `whole ${bytes.toString('hex')}`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new Cu16Parser();
      const a = p.push(bytes.subarray(0, cut));
      t.same(frames(a), [], 'nothing before the frame is complete');
      const b = p.push(bytes.subarray(cut));
      t.same([...a, ...b].map((e) => ('frame' in e ? plain(e.frame) : e.error.code)), frames(want).map(plain), `cut at ${cut}`);
    }
    // And one byte at a time.
    const p = new Cu16Parser();
    const all = [...bytes].flatMap((b) => p.push(Uint8Array.of(b)));
    t.same(frames(all).map(plain), frames(want).map(plain), 'byte by byte');
  }
});

t.test('several frames in one read', async (t) => {
  const p = new Cu16Parser();
  const evs = p.push(Buffer.concat(samples));
  t.same(errors(evs), []);
  t.equal(frames(evs).length, samples.length);
  t.same(frames(evs).map((f) => f.addr), samples.map((s) => s[1]));
  t.equal(p.pending, 0);
});

t.test('bad checksum: typed error, the next frame still parses', async (t) => {
  const bad = Buffer.from(statusReply(0x11, { locks: 1, infrared: 0 }));
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff;
  const p = new Cu16Parser();
  const seen: HalError[] = [];
  p.on('error', (e) => seen.push(e));
  const evs = p.push(Buffer.concat([bad, statusQuery(2)]));
  t.same(errors(evs), ['BAD_CHECKSUM']);
  t.ok(seen[0] instanceof HalError && seen[0].code === 'BAD_CHECKSUM', 'emitted as a HalError');
  t.same(frames(evs).map((f) => f.addr), [0x20]);
});

t.test('short frame followed by a whole one: BAD_FRAME, then the frame', async (t) => {
  const whole = statusReply(0x31, { locks: 0xa5a5, infrared: 0x5a5a });
  const truncated = whole.subarray(0, 5);
  const p = new Cu16Parser();
  const evs = [...p.push(truncated), ...p.push(whole)];
  t.same(errors(evs), ['BAD_FRAME']);
  t.same(frames(evs).map(plain), [plain(new Cu16Parser().push(whole).flatMap((e) => ('frame' in e ? [e.frame] : []))[0] as Cu16Frame)]);
});

t.test('garbage, unknown command, ADDR out of range, and no listener: never throws', async (t) => {
  const p = new Cu16Parser(); // no 'error' listener: must not throw
  t.same(errors(p.push(Buffer.from([0xff, 0x00, 0x41]))), ['GARBAGE']);
  t.same(errors(p.push(Buffer.from([STX, 0x00, 0x99]))), ['BAD_FRAME'], 'unknown command');
  t.same(errors(p.push(Buffer.from([STX, 0xa0]))), ['BAD_FRAME'], 'ADDR above 0x9F');
  t.same(frames(p.push(statusQuery(4))).length, 1);
  p.push(Buffer.from([STX, 0x00]));
  p.reset();
  t.equal(p.pending, 0, 'reset drops a partial frame');
  t.same(frames(p.push(statusQuery(5))).length, 1);
});

const frameArb = fc.oneof(
  fc.record({ board: fc.integer({ min: 0, max: 9 }), lock: fc.integer({ min: 0, max: 15 }) }).map(({ board, lock }) => unlockCommand(board, lock)),
  fc.integer({ min: 0, max: 9 }).map((b) => statusQuery(b)),
  fc
    .record({ addr: fc.integer({ min: 0, max: 0x9f }), locks: fc.integer({ min: 0, max: 0xffff }), ir: fc.integer({ min: 0, max: 0xffff }) })
    .map(({ addr, locks, ir }) => statusReply(addr, { locks, infrared: ir })),
  fc.record({ board: fc.integer({ min: 0, max: 9 }), ms: fc.integer({ min: 1, max: 0xffff }) }).map(({ board, ms }) => setPulseCommand(board, ms)),
);
/** Line noise without STX: it cannot start a false frame, so every real frame must come through. */
const noiseArb = fc.uint8Array({ minLength: 0, maxLength: 12 }).map((a) => Buffer.from(a.filter((b) => b !== STX)));

/** Splits `bytes` at the given cut points into chunks. */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

t.test('property: frames with STX-free garbage between them, read in random chunks, all come through in order', async () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(noiseArb, frameArb), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (pairs, cuts) => {
      const stream = Buffer.concat(pairs.flatMap(([noise, f]) => [noise, f]));
      const p = new Cu16Parser();
      const evs = chunk(stream, cuts).flatMap((c) => p.push(c));
      const got = frames(evs).map((f) => Buffer.from(encodeFrame(f)).toString('hex'));
      const want = pairs.map(([, f]) => f.toString('hex'));
      // A run of noise is reported once per read it arrives in: never more errors than noise bytes.
      const noiseBytes = pairs.reduce((n, [noise]) => n + noise.length, 0);
      return JSON.stringify(got) === JSON.stringify(want) && errors(evs).every((c) => c === 'GARBAGE') && errors(evs).length <= noiseBytes;
    }),
    { numRuns: 500 },
  );
});

t.test('property: arbitrary bytes never throw and every emitted frame is well formed', async () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 10 }), (chunks) => {
      const p = new Cu16Parser();
      p.on('error', () => {});
      for (const c of chunks) {
        for (const ev of p.push(c)) {
          if ('frame' in ev) {
            const bytes = encodeFrame(ev.frame); // throws if the frame were malformed
            if (bytes[bytes.length - 1] !== checksum(bytes.subarray(0, bytes.length - 1))) return false;
          } else if (!(ev.error instanceof HalError)) return false;
        }
        if (p.pending > 9) return false; // never holds more than one frame's worth
      }
      return true;
    }),
    { numRuns: 1000 },
  );
});

t.test('property: a corrupted byte in a frame is reported, and the next frame survives', async () => {
  fc.assert(
    fc.property(frameArb, frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, next, pos, flip) => {
      const bad = Buffer.from(f);
      const i = pos % bad.length;
      bad[i] = (bad[i] as number) ^ flip;
      const p = new Cu16Parser();
      const evs = p.push(Buffer.concat([bad, next]));
      const got = frames(evs).map((x) => encodeFrame(x).toString('hex'));
      // The damage is reported, no damaged frame comes through, and the next frame survives.
      return errors(evs).length >= 1 && got.length === 1 && got[0] === next.toString('hex');
    }),
    { numRuns: 1000 },
  );
});
