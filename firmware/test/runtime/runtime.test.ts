// The composed controller end to end: real aedes broker, real link, real door controller on virtual KR-CU16 boards,
// the kiosk over the offline credential check. What a user sees: doors that open, acks, events with their seq.
import t from 'tap';
import { SerialPort } from 'serialport';
import { hashCredential } from '@portier/protocol';
import { createPtyPair, socatAvailable } from '@portier/sim';
import { makeCommand, openDoorBody, waitForEvent } from '../link/helpers/cloud.ts';
import { bankState, HASH, PICKUP_CODE, rig } from './harness.ts';
import type { KeypadKey } from '../../src/kiosk/view.ts';
import { expectCondition } from '@portier/sim';

t.test('a signed open-door opens the virtual door; the ack says opened; door events carry the command id', async (t) => {
  const r = await rig(t);
  const cmd = makeCommand(r.key, 'open-door', openDoorBody(2), r.target);
  await r.cloud.sendCommand(cmd);
  const ack = await r.cloud.waitAck(cmd.id);
  t.equal(ack.status, 'opened');
  t.ok(r.f.doors[1]!.open, 'door 2 physically open');
  t.notOk(r.f.doors[0]!.open, 'door 1 still shut');
  const opened = await r.waitEvent((e) => e.event.type === 'door-opened');
  t.match(opened.event, { door: 2, cause: 'unlock', commandId: cmd.id });
  r.f.doors[1]!.close();
  const closed = await r.waitEvent((e) => e.event.type === 'door-closed');
  t.equal(closed.event['door'], 2);
  t.equal(closed.seq, opened.seq + 1, 'closed follows opened with the next seq');
  const reported = await r.cloud.waitFor((m) => m.channel === 'reported' && (m.json as { doors: Array<{ door: number; state: string }> }).doors.some((d) => d.door === 2 && d.state === 'closed'));
  t.ok(reported, 'reported state follows the doors');

  const unknownDoor = makeCommand(r.key, 'open-door', openDoorBody(9), r.target);
  await r.cloud.sendCommand(unknownDoor);
  t.match(await r.cloud.waitAck(unknownDoor.id), { status: 'rejected', reason: 'unknown_door' });
});

t.test('a door forced on the simulator arrives as door-forced with the next seq', async (t) => {
  const r = await rig(t);
  const cmd = makeCommand(r.key, 'open-door', openDoorBody(1), r.target);
  await r.cloud.sendCommand(cmd);
  await r.cloud.waitAck(cmd.id);
  r.f.doors[0]!.close();
  const before = await r.waitEvent((e) => e.event.type === 'door-closed');
  r.f.doors[3]!.force();
  const forced = await r.waitEvent((e) => e.event.type === 'door-forced');
  t.equal(forced.event['door'], 4);
  t.equal(forced.seq, before.seq + 1, 'next seq, no event in between');
  t.notOk(r.events().some((e) => e.event.type === 'door-opened' && e.event['door'] === 4), 'a forced opening is reported once');
});

t.test('desired state with a door out of service: open-door is rejected out_of_service and the door stays shut', async (t) => {
  const r = await rig(t);
  await r.sendDesired(1, bankState());
  t.equal(r.rt.serviceOf(3), 'out-of-service');
  const cmd = makeCommand(r.key, 'open-door', openDoorBody(3), r.target);
  await r.cloud.sendCommand(cmd);
  t.match(await r.cloud.waitAck(cmd.id), { status: 'rejected', reason: 'out_of_service' });
  t.notOk(r.f.doors[2]!.open, 'door 3 shut');
  t.equal(r.f.doors[2]!.energised.length, 0, 'its lock was never energised');

  // A set-service command puts it back in service until the next desired state.
  const back = makeCommand(r.key, 'set-service', { door: 3, state: 'in-service', reason: 'repaired', actor: { role: 'admin', id: 'u1' } }, r.target);
  await r.cloud.sendCommand(back);
  t.match(await r.cloud.waitAck(back.id), { status: 'done' });
  t.match((await r.waitEvent((e) => e.event.type === 'service-changed')).event, { door: 3, state: 'in-service' });
  const again = makeCommand(r.key, 'open-door', openDoorBody(3), r.target);
  await r.cloud.sendCommand(again);
  t.match(await r.cloud.waitAck(again.id), { status: 'opened' });
});

t.test('kiosk pickup on the keypad opens the right door and publishes a transaction pickup', async (t) => {
  const r = await rig(t, { kiosk: true });
  await r.sendDesired(1, bankState());
  const engine = r.rt.kiosk!.engine;
  await expectCondition(() => engine.screen.page === 'home', 2000, 'kiosk home page');
  for (const k of [...PICKUP_CODE.split(''), 'enter'] as KeypadKey[]) await engine.keypad(k);
  await engine.settled();
  t.ok(r.f.doors[1]!.open, 'door 2 physically open');
  t.notOk(r.f.doors[0]!.open || r.f.doors[2]!.open || r.f.doors[3]!.open, 'no other door');
  const tx = await r.waitEvent((e) => e.event.type === 'transaction');
  t.match(tx.event, { kind: 'pickup', doors: [2], reservationIds: ['res-1'], actor: { role: 'recipient', id: 'alice' }, offline: false });

  t.not(engine.screen.page, 'home', 'the session is still on the pickup page');
  const end = makeCommand(r.key, 'end-session', { reason: 'test' }, r.target);
  await r.cloud.sendCommand(end);
  t.match(await r.cloud.waitAck(end.id), { status: 'done' });
  await engine.settled();
  t.equal(engine.screen.page, 'home', 'end-session from the cloud ends the kiosk session');
});

t.test('offline pickup: broker stopped, the kiosk still opens the door; the event arrives after reconnect', async (t) => {
  const r = await rig(t, { kiosk: true });
  await r.sendDesired(1, bankState());
  const engine = r.rt.kiosk!.engine;
  await expectCondition(() => engine.screen.page === 'home', 2000, 'kiosk home page');
  await r.broker.stop();
  await expectCondition(() => r.rt.link!.status().state !== 'online', 3000, 'link offline');
  for (const k of [...PICKUP_CODE.split(''), 'enter'] as KeypadKey[]) await engine.keypad(k);
  await engine.settled();
  t.ok(r.f.doors[1]!.open, 'door 2 opened while offline');
  t.ok(r.rt.link!.status().outboxDepth > 0, 'the event waits in the outbox');
  const received = r.cloud.received.length;
  await r.broker.restart();
  await waitForEvent(r.rt.link!, 'state', (s: { state: string }) => s.state === 'online', 5000);
  const tx = await r.cloud.waitFor((m) => m.channel === 'evt' && (m.json as { event: { type: string } }).event.type === 'transaction', 6000, received);
  t.match((tx.json as { event: unknown }).event, { kind: 'pickup', doors: [2], offline: true });
  await r.cloud.sendEvtack(r.target.bankId, r.target.controllerId, (tx.json as { seq: number }).seq);
  await expectCondition(() => r.rt.link!.status().ackedUpTo >= (tx.json as { seq: number }).seq, 3000, 'evtack applied');
  t.pass('outbox confirmed');
});

t.test('the configured serial scanner (kiosk.scanner.path on a socat pty): a scanned QR code signs in contactless and opens the door', { skip: socatAvailable() ? false : 'socat not installed (apt-get install -y socat)' }, async (t) => {
  const line = await createPtyPair();
  t.teardown(() => line.close());
  const r = await rig(t, { kiosk: true, scannerPath: line.controllerPath });
  const state = bankState({ rules: { ...bankState().rules, contactless: true } });
  state.credentials.push({ id: 'cred-qr', kind: 'qr', hash: hashCredential('qr', 'QR-ALICE-1', HASH), role: 'recipient', subjectId: 'alice', doors: [2], reservationIds: ['res-1'], oneTime: false });
  await r.sendDesired(1, state);
  const engine = r.rt.kiosk!.engine;
  await expectCondition(() => engine.screen.page === 'home', 2000, 'kiosk home page');
  const scanner = new SerialPort({ path: line.simPath, baudRate: 9600 });
  t.teardown(() => new Promise<void>((res) => (scanner.isOpen ? scanner.close(() => res()) : res())));
  await new Promise<void>((res, rej) => scanner.once('open', () => res()).once('error', rej));
  // A scanner types the code in pieces, ending with CR LF.
  scanner.write('QR-ALI');
  await new Promise((res) => setTimeout(res, 20));
  scanner.write('CE-1\r\n');
  await expectCondition(() => r.f.doors[1]!.open, 4000, 'door 2 open');
  t.ok(r.f.doors[1]!.open, 'door 2 opened from the scan');
  const tx = await r.waitEvent((e) => e.event.type === 'transaction');
  t.match(tx.event, { kind: 'pickup', doors: [2], via: 'qr', actor: { id: 'alice' } });
});
