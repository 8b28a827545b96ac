// A simulated bank of real controllers against a real aedes broker: what the cloud sees when people use the doors and
// the kiosk, and what the doors do when the cloud sends signed commands.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { runSimBank, validateBankConfig, BankConfigError, type SimBank } from '../../src/bank/index.ts';
import { expectCondition, socatAvailable } from '@portier/sim';
import { PICKUP, kioskState, world, type World } from './helpers.ts';

const BANK = 'bank-sim';

async function bankOf(t: Test, w: World, transport: 'mock' | 'pty' = 'mock'): Promise<SimBank> {
  // Column 1 from a provisioned file (the shape portier-cloud provision writes); column 2 inline.
  const file = join(w.dir, 'col-k.yaml');
  writeFileSync(
    file,
    `# Portier controller col-k (bank ${BANK}, column 1).\n${stringify({
      link: { brokerUrl: 'mqtt://127.0.0.1:1', bankId: BANK, controllerId: 'col-k', column: 1, secret: w.identities.get('col-k'), cloudPublicKey: w.pem },
    })}`,
  );
  const config = validateBankConfig(
    {
      bankId: BANK,
      transport,
      dataDir: join(w.dir, 'data'),
      logLevel: 'silent',
      columns: [
        { controllerConfig: file, doors: 4, kiosk: true, behaviour: { springDelayMs: 10 }, doorSettings: { pollMs: 20, pulseMs: 200 } },
        {
          identity: { controllerId: 'col-2', secret: w.identities.get('col-2'), cloudPublicKey: w.pem },
          doors: [{}, {}, { item: true }],
          behaviour: { springDelayMs: 10 },
          doorSettings: { pollMs: 20, pulseMs: 200 },
        },
      ],
    },
    { baseDir: w.dir },
  );
  const bank = await runSimBank({ cloud: { brokerUrl: w.broker.url }, bank: config, linkOverrides: { backoff: { minMs: 30, maxMs: 150 }, evtackTimeoutMs: 400 } });
  t.teardown(() => bank.close());
  for (const c of bank.columns) await expectCondition(() => c.controller.linkStatus()?.state === 'online', 5000, `${c.controllerId} online`);
  return bank;
}

t.test('a signed open-door opens the virtual door of the right column; ack opened', async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w);
  t.equal(bank.columns.length, 2);
  const ack = await w.cloud.command('col-2', 'open-door', { door: 3, reason: 'test', actor: { role: 'admin', id: 'u1' } });
  t.equal(ack.status, 'opened');
  t.ok(bank.column(2).door(3).open, 'column 2 door 3 open');
  t.notOk(bank.column(1).door(3).open, 'the kiosk column door 3 is shut');
  t.ok(bank.column(2).door(3).maxEnergisedMs() <= 1000, 'lock energised within the limit');
  const opened = await w.cloud.event('col-2', 'door-opened');
  t.match(opened.event, { door: 3, cause: 'unlock' });
  bank.column('col-2').door(3).close();
  const closed = await w.cloud.event('col-2', 'door-closed');
  t.equal(closed.seq, opened.seq + 1);
});

t.test('a door forced on the simulator arrives as door-forced with the next seq', async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w);
  await w.cloud.command('col-2', 'open-door', { door: 1, reason: 'test', actor: { role: 'admin', id: 'u1' } });
  bank.column(2).door(1).close();
  const before = await w.cloud.event('col-2', 'door-closed');
  bank.column(2).door(2).force();
  const forced = await w.cloud.event('col-2', 'door-forced');
  t.equal(forced.event['door'], 2);
  t.equal(forced.seq, before.seq + 1);
  const local = await bank.column(2).expectEvent((e) => e.body.type === 'door-forced');
  t.equal(local.seq, forced.seq, 'the simulator API sees the same event');
});

t.test('desired state with a door out of service: open-door answers rejected/out_of_service', async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w);
  await w.cloud.desired('col-k', 1, kioskState());
  await expectCondition(() => bank.column(1).controller.linkStatus()?.desiredVersion === 1, 3000, 'desired applied');
  const ack = await w.cloud.command('col-k', 'open-door', { door: 4, reason: 'test', actor: { role: 'admin', id: 'u1' } });
  t.match(ack, { status: 'rejected', reason: 'out_of_service' });
  t.notOk(bank.column(1).door(4).open);
  t.equal(bank.column(1).door(4).energised.length, 0, 'never energised');
});

t.test('kiosk pickup on the keypad opens the right door and the cloud gets a transaction pickup', async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w);
  await w.cloud.desired('col-k', 1, kioskState());
  const kiosk = bank.kiosk!;
  t.ok(kiosk, 'the bank has a kiosk');
  await kiosk.expectPage('home');
  for (const d of PICKUP) await kiosk.keypad(d as '1');
  t.match(kiosk.display.current?.input, { masked: true, length: PICKUP.length }, 'the display shows the code masked');
  await kiosk.keypad('enter');
  await bank.column(1).expectDoor(2, true);
  t.notOk(bank.column(1).door(1).open || bank.column(1).door(3).open, 'only door 2');
  t.equal(kiosk.display.current?.title, 'Your packages', 'the display was given the page as text');
  t.notOk(JSON.stringify(kiosk.display.views).includes(PICKUP), 'the code never reached the display in clear');
  const tx = await w.cloud.event('col-k', 'transaction');
  t.match(tx.event, { kind: 'pickup', doors: [2], reservationIds: ['res-1'], offline: false, actor: { role: 'recipient', id: 'alice' } });
  t.equal(bank.closeAllDoors(), 1);
});

t.test('offline pickup: broker stopped, the kiosk opens the door, the event reaches the cloud after reconnect', async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w);
  await w.cloud.desired('col-k', 1, kioskState());
  const kiosk = bank.kiosk!;
  await kiosk.expectPage('home');
  await w.broker.stop();
  await expectCondition(() => bank.column(1).controller.linkStatus()?.state !== 'online', 3000, 'offline');
  await kiosk.type(PICKUP);
  await bank.column(1).expectDoor(2, true);
  const from = w.cloud.received.length;
  await w.broker.restart();
  const tx = await w.cloud.event('col-k', 'transaction', from, 8000);
  t.match(tx.event, { kind: 'pickup', doors: [2], offline: true });
});

t.test('pty transport: controllers open their boards through socat ttys', { skip: socatAvailable() ? false : 'socat not installed (apt-get install -y socat)' }, async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w, 'pty');
  t.match(bank.column(2).tty, /.+/, 'a tty');
  const ack = await w.cloud.command('col-2', 'open-door', { door: 2, reason: 'test', actor: { role: 'admin', id: 'u1' } });
  t.equal(ack.status, 'opened');
  t.ok(bank.column(2).door(2).open);
});

t.test('a bank description with problems: every one listed with its path', async (t) => {
  try {
    validateBankConfig({ bankId: 'bad id', transport: 'usb', columns: [{ doors: 0, kiosk: true }, { doors: 2, kiosk: true, identity: { controllerId: 'c', secret: 'x' } }] });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof BankConfigError);
    const paths = (err as BankConfigError).problems.map((p) => p.path);
    for (const p of ['bankId', 'transport', 'columns.0.doors', 'columns.1.identity.secret']) t.ok(paths.includes(p), `names ${p}`);
  }
  const w = await world(t, BANK, ['col-k']);
  try {
    await runSimBank({
      cloud: { brokerUrl: w.broker.url },
      bank: validateBankConfig({ bankId: BANK, columns: [{ identity: { controllerId: 'col-k', secret: 'long-enough', cloudPublicKey: 'garbage' }, doors: 2 }] }),
    });
    t.fail('should throw');
  } catch (err) {
    t.match((err as BankConfigError).problems, [{ path: /columns\.0 \(link\.cloudPublicKey\)/, message: /Ed25519/ }]);
  }
});

t.test('a blind user at the kiosk column: headphones, keypad only, speech recorded, digits as tones', async (t) => {
  const w = await world(t, BANK, ['col-k', 'col-2']);
  const bank = await bankOf(t, w);
  await w.cloud.desired('col-k', 1, kioskState());
  const kiosk = bank.kiosk!;
  await kiosk.expectPage('home');
  kiosk.headphones.plug();
  await kiosk.engine.settled();
  await expectCondition(() => kiosk.audio.spoken('en').some((s) => /Audio mode is on/.test(s)), 3000, 'audio mode announced');
  const tones = kiosk.audio.tones().length;
  await kiosk.type(PICKUP);
  t.ok(kiosk.audio.tones().length - tones >= PICKUP.length, 'a tone per digit');
  t.notOk(kiosk.audio.spoken().some((s) => s.includes(PICKUP)), 'the code was never spoken');
  await bank.column(1).expectDoor(2, true);
  await expectCondition(() => kiosk.audio.spoken('en').some((s) => /locker 102/.test(s)), 3000, 'the open locker spoken');
  t.pass('the open locker was spoken by number');
});
