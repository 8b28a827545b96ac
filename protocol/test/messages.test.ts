import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { CHANNELS, encodePayload, MAX_PAYLOAD_BYTES, parsePayload, type Channel } from '../src/index.ts';
import { samples } from './fixtures/samples.ts';

const { privateKey } = generateKeyPairSync('ed25519');
const all = samples(privateKey);

function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not-a-number';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return 'not-an-array';
  if (value === null) return 'not-null';
  return 'not-an-object';
}

t.test('every message type round-trips through its schema', async (t) => {
  let count = 0;
  for (const ch of CHANNELS) {
    for (const msg of all[ch] as unknown[]) {
      const bytes = Buffer.from(JSON.stringify(msg));
      const r = parsePayload(ch, bytes);
      t.ok(r.ok, `${ch} ${JSON.stringify(msg).slice(0, 60)} parses${r.ok ? '' : `: ${r.message}`}`);
      if (r.ok) t.same(r.value, msg, `${ch} value survives the round trip`);
      t.same(JSON.parse(encodePayload(ch, msg as never).toString()), msg, `${ch} encodes`);
      count++;
    }
  }
  t.ok(count >= 28, `covers every sample (${count})`);
});

t.test('a field of the wrong type is rejected, naming the field', async (t) => {
  for (const ch of CHANNELS) {
    for (const msg of all[ch] as Record<string, unknown>[]) {
      for (const key of Object.keys(msg)) {
        const bad = { ...msg, [key]: wrongTypeFor(msg[key]) };
        const r = parsePayload(ch, JSON.stringify(bad));
        t.notOk(r.ok, `${ch}.${key} of the wrong type is rejected`);
        if (!r.ok) {
          t.equal(r.code, 'INVALID');
          t.match(r.field ?? '', new RegExp(`^${key}(\\.|$)`), `${ch}: error names ${key} (got ${r.field}: ${r.message})`);
        }
      }
    }
  }
});

t.test('nested fields of the wrong type are named with their path', async (t) => {
  const cmd = all.cmd[0] as { body: Record<string, unknown> };
  const r = parsePayload('cmd', JSON.stringify({ ...cmd, body: { ...cmd.body, door: 'three' } }));
  t.notOk(r.ok);
  if (!r.ok) t.equal(r.field, 'body.door');
  const evt = all.evt[0] as { event: Record<string, unknown> };
  const r2 = parsePayload('evt', JSON.stringify({ ...evt, event: { ...evt.event, door: -1 } }));
  t.notOk(r2.ok);
  if (!r2.ok) t.equal(r2.field, 'event.door');
  const desired = all.desired[0] as { state: { doors: Record<string, unknown>[] } };
  const doors = desired.state.doors.map((d, i) => (i === 1 ? { ...d, locker: 'x' } : d));
  const r3 = parsePayload('desired', JSON.stringify({ ...desired, state: { ...desired.state, doors } }));
  t.notOk(r3.ok);
  if (!r3.ok) t.equal(r3.field, 'state.doors.1.locker');
});

const OPTIONAL = new Set(['reason', 'detail', 'toSeq', 'pulseMs', 'commandId']);

t.test('a missing required field is rejected, naming the field', async (t) => {
  for (const ch of CHANNELS) {
    for (const msg of all[ch] as Record<string, unknown>[]) {
      for (const key of Object.keys(msg)) {
        if (OPTIONAL.has(key)) continue;
        const { [key]: _gone, ...rest } = msg;
        const r = parsePayload(ch, JSON.stringify(rest));
        t.notOk(r.ok, `${ch} without ${key} is rejected`);
        if (!r.ok) t.match(r.field ?? '', new RegExp(`^${key}(\\.|$)`), `${ch}: names ${key} (got ${r.field})`);
      }
    }
  }
});

t.test('unknown fields are rejected at every level (strict schemas)', async (t) => {
  for (const ch of CHANNELS) {
    for (const msg of all[ch] as Record<string, unknown>[]) {
      const r = parsePayload(ch, JSON.stringify({ ...msg, sneaky: true }));
      t.notOk(r.ok, `${ch} with an extra top-level field`);
      if (!r.ok) t.equal(r.field, 'sneaky');
    }
  }
  const cmd = all.cmd[0] as { body: Record<string, unknown> };
  const r = parsePayload('cmd', JSON.stringify({ ...cmd, body: { ...cmd.body, force: true } }));
  t.notOk(r.ok);
  if (!r.ok) t.equal(r.field, 'body.force');
  const evt = all.evt[9] as { event: Record<string, unknown> };
  const r2 = parsePayload('evt', JSON.stringify({ ...evt, event: { ...evt.event, pin: '1234' } }));
  t.notOk(r2.ok);
  if (!r2.ok) t.equal(r2.field, 'event.pin');
});

t.test('oversized strings and payloads are rejected', async (t) => {
  const cmd = all.cmd[0] as { body: Record<string, unknown> };
  const longId = parsePayload('cmd', JSON.stringify({ ...cmd, id: 'x'.repeat(65) }));
  t.notOk(longId.ok);
  if (!longId.ok) t.equal(longId.field, 'id');
  const longReason = parsePayload('cmd', JSON.stringify({ ...cmd, body: { ...cmd.body, reason: 'r'.repeat(201) } }));
  t.notOk(longReason.ok);
  if (!longReason.ok) t.equal(longReason.field, 'body.reason');
  for (const ch of CHANNELS) {
    const huge = Buffer.alloc(MAX_PAYLOAD_BYTES[ch] + 1, 0x20);
    const r = parsePayload(ch, huge);
    t.notOk(r.ok);
    if (!r.ok) t.equal(r.code, 'TOO_LARGE', `${ch} payload over the limit`);
  }
});

t.test('non-JSON and non-UTF-8 bytes are rejected without throwing', async (t) => {
  const cases: Array<[Uint8Array | string, string]> = [
    [Buffer.from([0xff, 0xfe, 0x00, 0x81]), 'NOT_UTF8'],
    ['{"v":1', 'NOT_JSON'],
    ['', 'NOT_JSON'],
    ['hello', 'NOT_JSON'],
    ['null', 'INVALID'],
    ['[]', 'INVALID'],
    ['42', 'INVALID'],
  ];
  for (const ch of CHANNELS as readonly Channel[]) {
    for (const [bytes, code] of cases) {
      const r = parsePayload(ch, bytes);
      t.notOk(r.ok);
      if (!r.ok) t.equal(r.code, code, `${ch}: ${JSON.stringify(bytes.toString())} -> ${code}`);
    }
  }
});

t.test('semantic rules: command lifetime, rejected ack needs a reason, timers', async (t) => {
  const cmd = all.cmd[0] as unknown as Record<string, number>;
  const expired = parsePayload('cmd', JSON.stringify({ ...cmd, expiresAt: (cmd.issuedAt ?? 0) - 1 }));
  t.notOk(expired.ok);
  if (!expired.ok) t.equal(expired.field, 'expiresAt');
  const forever = parsePayload('cmd', JSON.stringify({ ...cmd, expiresAt: (cmd.issuedAt ?? 0) + 25 * 3600_000 }));
  t.notOk(forever.ok);
  const ack = parsePayload('ack', JSON.stringify({ v: 1, commandId: 'c', status: 'rejected', at: 1 }));
  t.notOk(ack.ok);
  if (!ack.ok) t.equal(ack.field, 'reason');
  const desired = all.desired[0] as { state: { timers: Record<string, number> } };
  const timers = { ...desired.state.timers, returnHomeAfterPickupS: 200, returnHomeOnInactivityS: 100 };
  const r = parsePayload('desired', JSON.stringify({ ...desired, state: { ...desired.state, timers } }));
  t.notOk(r.ok);
  if (!r.ok) t.equal(r.field, 'state.timers.returnHomeAfterPickupS');
  t.throws(() => encodePayload('ack', { v: 1, commandId: 'c', status: 'rejected', at: 1 } as never), /reason/);
});
