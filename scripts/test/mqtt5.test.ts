// MQTT 5 on both sides: the whole cloud (`mqtt.version: 5` on an external broker) and a real controller of a simulated
// bank, provisioned with `--mqtt-version 5` and a list of two nodes (the first down), on a Mosquitto run with the
// files the cloud generates. Both connect as MQTT 5 (Mosquitto's
// log says p5); events are stored and confirmed, a remote open is delivered and acked, and the controller's session
// outlives its disconnect (MQTT 5 ends a session at disconnect unless its expiry says otherwise): a command sent while
// it was away is run when it comes back. Skips with a reason when Mosquitto is not installed.
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { brokerOption, ensureServiceAccount, IdentityRegistry, provision, startCloud, writeMosquittoAuthFiles } from '@portier/cloud';
import { runSimBank, validateBankConfig } from '@portier/rig';
import { freePort, mosquittoMissing, startMosquitto } from '../../cloud/test/mqtt/helpers/mosquitto.ts';
import { seedDemo } from '../demo/seed.ts';
import { api, DEMO_ADMIN, expectCondition, expectEvent, login, tempDir, TEST_HASH } from './e2e/helpers.ts';

t.test('MQTT 5: events stored and confirmed, a command delivered and acked, the session kept across a reconnect', { skip: mosquittoMissing }, async (t) => {
  const dir = tempDir(t, 'portier-mqtt5-');
  const dataDir = join(dir, 'cloud');
  // The broker's files hold the cloud's service account before the cloud starts, as `mosquitto-files` writes them.
  await ensureServiceAccount({ dataDir, identities: await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH }) });
  const m = await startMosquitto(t, await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH }), join(dir, 'mosquitto'));

  const cloudOnV5 = m.logged(/as portier-cloud \(p5, c0/);
  const cloud = await startCloud({
    config: { dataDir, http: { host: '127.0.0.1', port: 0 }, admin: DEMO_ADMIN, auth: { argon2: { memoryCost: 64, timeCost: 1 } }, expiry: { intervalSeconds: 0 }, log: { level: 'silent' } },
    logger: pino({ level: 'silent' }),
    broker: brokerOption({ url: m.url, version: '5' }),
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    remoteOpen: { defaultTimeoutMs: 5000, ackGraceMs: 200 },
    desired: { debounceMs: 10, refreshMs: 0 },
    brokerWaitMs: 5000,
  });
  t.teardown(() => cloud.stop());
  await cloudOnV5;
  t.pass('the cloud connected as MQTT 5, with a persistent session (c0)');

  const seeded = await seedDemo(cloud.service);
  const col = seeded.columns.find((c) => c.kind === 'plain')!;
  const file = join(dir, 'controllers', `${col.controllerId}.yaml`);
  // Provisioned with a cluster of two nodes, the first down: the list goes through the file and the simulated bank.
  const down = `mqtt://127.0.0.1:${await freePort()}`;
  await provision({ dataDir, bankId: seeded.bankId, controllerId: col.controllerId, column: col.position, brokerUrl: `${down},${cloud.mqttUrl}`, mqttVersion: '5', out: file, identities: cloud.identities, credentialKeys: cloud.credentialKeys });
  await writeMosquittoAuthFiles(cloud.identities, m.files.dir);
  await m.reload();

  // The bank's broker and version come from the provisioned file alone.
  const bankConfig = validateBankConfig({
    bankId: seeded.bankId,
    transport: 'mock',
    dataDir: join(dir, 'controllers-data'),
    logLevel: 'silent',
    columns: [{ controllerConfig: file, doors: col.doors, behaviour: { springDelayMs: 10 }, doorSettings: { pollMs: 20, pulseMs: 200 } }],
  });
  const startBank = async () => {
    const bank = await runSimBank({ bank: bankConfig, linkOverrides: { backoff: { minMs: 30, maxMs: 200 }, evtackTimeoutMs: 400 } });
    t.teardown(() => bank.close());
    const c = bank.columns[0]!;
    await expectCondition(() => c.controller.linkStatus()?.state === 'online', 8000, `${c.controllerId} online`);
    return { bank, column: c };
  };
  const controllerOnV5 = m.logged(new RegExp(`as ${col.controllerId} \\(p5, c0`));
  let { bank, column } = await startBank();
  await controllerOnV5;
  t.pass('the controller connected as MQTT 5, with a persistent session (c0)');
  t.equal(column.controller.linkStatus()?.broker, cloud.mqttUrl, 'past the node that is down, on the live one');
  await expectCondition(() => (column.controller.linkStatus()?.desiredVersion ?? 0) > 0, 8000, 'the desired state (retained) applied');

  // 1. An event: stored by the cloud, confirmed back (evtack), gone from the outbox.
  const stored = expectEvent(cloud.link, 'event-stored', 8000, {
    predicate: (e) => e.controllerId === col.controllerId && e.event.type === 'door-forced',
    description: 'the door-forced event stored',
  });
  column.door(3).force();
  const [event] = await stored;
  t.match(event.event, { type: 'door-forced', door: 3 });
  await expectCondition(() => (column.controller.linkStatus()?.ackedUpTo ?? 0) >= event.seq && column.controller.linkStatus()?.outboxDepth === 0, 8000, 'the event confirmed');
  column.door(3).close();

  // 2. A remote open through the API: the command reaches the controller, its ack comes back with what the door did.
  const token = await login(cloud);
  const locker = seeded.columns.filter((c) => c.position < col.position).reduce((n, c) => n + c.doors, 0) + 1;
  const opened = await api(cloud, 'POST', `/banks/${seeded.bankId}/lockers/${locker}/open`, token, { reason: 'mqtt 5 check' });
  t.match(opened, { status: 200, json: { outcome: 'opened' } }, 'the remote open acked: opened');
  t.ok(column.door(1).open, 'the door opened');
  column.door(1).close();

  // 3. The controller goes away (an orderly disconnect); a command sent meanwhile waits in its session at the broker.
  await bank.close();
  const cmd = await cloud.link.sendCommand(seeded.bankId, col.controllerId, 'open-door', { door: 2, reason: 'sent while away', actor: { role: 'admin', id: 'admin' } }, { ttlMs: 60_000 });
  const acked = expectEvent(cloud.link, 'ack', 10_000, { predicate: (a) => a.ack.commandId === cmd.id, description: 'the ack of the queued command' });
  ({ bank, column } = await startBank());
  const [answer] = await acked;
  t.equal(answer.ack.status, 'opened', 'the command queued in the session while the controller was away was run on its return');
  t.ok(column.door(2).open, 'its door opened');
});
