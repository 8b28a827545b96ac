import t, { type Test } from 'tap';
import { createServer } from 'node:net';
import type { EventBody } from '@portier/protocol';
import { DoorController } from '../../src/doors/door-controller.ts';
import { ControllerBackend, probeBroker, type ConsoleLink } from '../../src/console/controller-backend.ts';
import { LogRing, createLogTee } from '../../src/console/log-ring.ts';
import { renderStatus } from '../../src/console/render.ts';
import { pino } from 'pino';
import { createCu16Fixture } from '../fixtures/cu16-fixture.ts';
import { SERVICE_PASSWORD, SERVICE_USER, startTestBroker } from '../link/helpers/broker.ts';
import { configFile, sampleConfig, writeConfig } from './fixtures/setup.ts';
import { expectCondition } from '@portier/sim';

async function setup(t: Test, o: { link?: ConsoleLink; broker?: { url: string; username: string; password: string } } = {}) {
  const fx = await createCu16Fixture({ doorCount: 20, maxPulseMs: 1000 });
  const ring = new LogRing(50);
  const logger = pino({ level: 'info' }, createLogTee(ring));
  const controller = new DoorController({ bus: fx.bus, maxPulseMs: 1000, pulseMs: 300, pollMs: 20, logger });
  await controller.start();
  const cfg = writeConfig(await sampleConfig(20));
  const restarts: string[] = [];
  const backend = new ControllerBackend({
    doors: controller,
    config: configFile(cfg.path),
    firmwareVersion: '1.2.3',
    controllerId: 'col-1',
    bankId: 'bank-1',
    logRing: ring,
    logger,
    restart: (why) => restarts.push(why),
    ...(o.link ? { link: o.link } : {}),
    ...(o.broker ? { broker: o.broker } : {}),
  });
  t.teardown(async () => {
    backend.dispose();
    await controller.stop();
    await fx.cleanup();
    cfg.cleanup();
  });
  return { fx, controller, backend, restarts, ring };
}

t.test('open and test go through the door controller and open the virtual door', async (t) => {
  const { fx, backend } = await setup(t);
  const r = await backend.open(18);
  t.same(r, { door: 18, outcome: 'opened', pulseMs: 300 });
  t.ok(fx.doors[17]!.open, 'virtual door 18 open');
  t.ok(fx.doors[17]!.maxEnergisedMs() <= 1000, 'pulse limit held');
  const again = await backend.open(18);
  t.equal(again.outcome, 'already_open');
  const test = await backend.test(2);
  t.match(test, { door: 2, outcome: 'opened', before: { state: 'closed' }, after: { state: 'open' } });
  t.type(test.openedAfterMs, 'number');
  await t.rejects(backend.open(99), { code: 'UNKNOWN_DOOR' });
  fx.doors[4]!.setBehaviour({ jammed: true });
  t.equal((await backend.open(5)).outcome, 'jammed');
});

t.test('status: doors, item sensors, bus health per board, no link', async (t) => {
  const { fx, backend } = await setup(t);
  fx.doors[2]!.setItem(true);
  await expectCondition(async () => (await backend.status()).doors[2]?.itemPresent === true, 5000, 'the item sensor read by a poll of the board');
  const s = await backend.status();
  t.equal(s.doors.length, 20);
  t.match(s.doors[2], { door: 3, state: 'closed', itemPresent: true, service: 'in-service' });
  t.match(s.bus, { kind: 'kerong-cu16', state: 'ok', boards: [{ address: 0, state: 'ok' }, { address: 1, state: 'ok' }] });
  t.match(s.link, { state: 'not-configured', outboxDepth: 0 });
  t.equal(s.firmwareVersion, '1.2.3');
});

t.test('boards scan finds answering boards and names the silent ones', async (t) => {
  const { fx, backend } = await setup(t);
  fx.boards.board(1).setFaults({ silent: true });
  const r = await backend.scanBoards();
  t.same(r.found, [{ address: 0, doors: Array.from({ length: 16 }, (_, i) => i + 1) }]);
  t.same(r.missing, [1]);
});

t.test('service changes and events go to the cloud through the link; link status shown', async (t) => {
  const sent: EventBody[] = [];
  const link: ConsoleLink = {
    status: () => ({ state: 'online', outboxDepth: 2, desiredVersion: 9, clockOffsetMs: 12.4, lastError: undefined }),
    publishEvent: async (body) => {
      sent.push(body);
      return { seq: sent.length, at: Date.now() };
    },
  };
  const { backend } = await setup(t, { link, broker: { url: 'mqtt://u:p@broker.example:1883', username: 'col-1', password: 'x' } });
  await backend.setService(7, 'out-of-service');
  t.match(sent[0], { type: 'service-changed', door: 7, state: 'out-of-service', actor: { role: 'technician' } });
  t.equal(backend.doors()[6]!.service, 'out-of-service');
  await t.rejects(backend.setService(77, 'in-service'), { code: 'UNKNOWN_DOOR' });
  const s = await backend.status();
  t.match(s.link, { state: 'online', outboxDepth: 2, desiredVersion: 9, reportedVersion: 9, clockOffsetMs: 12, broker: 'mqtt://broker.example:1883' });
  t.notMatch(JSON.stringify(s), 'u:p', 'credentials not shown');
  t.match(await backend.netTest(), { ok: true, result: 'connected' });
  t.equal(backend.events(1)[0]!.seq, 1);
});

t.test('reboot-safe drives outputs safe, stops the door controller, then asks for a restart', async (t) => {
  const { backend, restarts, controller } = await setup(t);
  await backend.rebootSafe();
  t.same(restarts, ['reboot-safe']);
  await t.rejects(controller.unlock(1), { code: 'STOPPED' });
  await t.rejects(backend.factoryReset(), { code: 'NOT_SUPPORTED' });
});

t.test('net test: connected, refused credentials, unreachable', async (t) => {
  const broker = await startTestBroker([]);
  t.teardown(() => broker.stop());
  t.match(await probeBroker({ url: broker.url, username: SERVICE_USER, password: SERVICE_PASSWORD, clientId: 'probe-ok', timeoutMs: 2000 }), { ok: true, result: 'connected' });
  t.match(await probeBroker({ url: broker.url, username: SERVICE_USER, password: 'wrong', clientId: 'probe-bad', timeoutMs: 2000 }), { ok: false, result: 'refused' });
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  t.match(await probeBroker({ url: `mqtt://127.0.0.1:${port}`, username: 'x', password: 'y', clientId: 'probe-none', timeoutMs: 2000 }), { ok: false, result: 'unreachable' });
});

/** A one-shot broker on loopback: reads the CONNECT's protocol level (4 is 3.1.1, 5 is MQTT 5) and accepts it. */
async function levelRecorder(t: Test): Promise<{ url: string; levels: number[] }> {
  const levels: number[] = [];
  const srv = createServer((sock) => {
    sock.once('data', (b: Buffer) => {
      // Fixed header: type byte, then the remaining length (1 to 4 bytes, high bit set on all but the last);
      // variable header: the protocol name as a 2-byte length and "MQTT", then the level.
      let i = 1;
      while ((b[i]! & 0x80) !== 0) i++;
      const level = b[i + 1 + 2 + 4]!;
      levels.push(level);
      sock.write(Buffer.from(level === 5 ? [0x20, 0x03, 0x00, 0x00, 0x00] : [0x20, 0x02, 0x00, 0x00]));
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  return { url: `mqtt://127.0.0.1:${(srv.address() as { port: number }).port}`, levels };
}

t.test('net test speaks the MQTT version the link is set to', async (t) => {
  const broker = await levelRecorder(t);
  const creds = { url: broker.url, username: 'u', password: 'p', clientId: 'probe-v', timeoutMs: 2000 };
  t.match(await probeBroker(creds), { ok: true, result: 'connected' });
  t.match(await probeBroker({ ...creds, mqttVersion: '5' }), { ok: true, result: 'connected' });
  t.same(broker.levels, [4, 5], 'MQTT 3.1.1 by default, MQTT 5 when the link speaks 5');
});

t.test("a cluster's nodes: status names the node the link is on, net test tries each node in turn", async (t) => {
  const broker = await startTestBroker([]);
  t.teardown(() => broker.stop());
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const down = `mqtt://127.0.0.1:${(srv.address() as { port: number }).port}`;
  await new Promise<void>((r) => srv.close(() => r()));
  let state: 'online' | 'backoff' = 'online';
  const link: ConsoleLink = {
    status: () => ({ state, broker: broker.url, outboxDepth: 0, desiredVersion: 1, clockOffsetMs: 0, lastError: undefined }),
    publishEvent: async () => ({ seq: 1, at: Date.now() }),
  };
  const { backend } = await setup(t, { link, broker: { url: `${down},${broker.url}`, username: SERVICE_USER, password: SERVICE_PASSWORD } });
  const s = await backend.status();
  t.equal(s.link.broker, broker.url, 'the node the link is on, not the whole list');
  t.match(renderStatus(s, Date.now()), new RegExp(`broker +online ${broker.url.replace(/\./g, '\\.')}`), 'status shows it');
  state = 'backoff';
  t.match(await backend.netTest(), { ok: true, result: 'connected', broker: broker.url }, 'past the node that is down, the one that answered named');
  const none = await setup(t, { link, broker: { url: `${down},${broker.url}`, username: SERVICE_USER, password: 'wrong' } });
  const r = await none.backend.netTest();
  t.match(r, { ok: false, result: 'refused', detail: new RegExp(`unreachable; .*refused`) }, 'a refusal named first, with what each node answered');
});

t.test('events lists the door events the controller recorded for the cloud, once each, with their sequence numbers', async (t) => {
  // The program's own wiring (runtime + the backend portier-controller builds), with a link whose outbox records.
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { validateRuntimeConfig } = await import('../../src/runtime/config.ts');
  const { startController } = await import('../../src/runtime/controller-runtime.ts');
  const { consoleBackendFactory } = await import('../../src/runtime/cli.ts');
  const dir = mkdtempSync(join(tmpdir(), 'portier-conev-'));
  const cfgFile = writeConfig(await sampleConfig(4));
  const v = await validateRuntimeConfig({
    log: { level: 'silent' },
    hardware: { bus: { kind: 'kerong-cu16', path: '/dev/portier-test-unused', doorCount: 4, replyTimeoutMs: 50 }, doors: { maxPulseMs: 600, pollMs: 20 } },
    // Nobody listens on that broker: events wait in the outbox, which numbers them.
    link: { brokerUrl: 'mqtt://127.0.0.1:1', bankId: 'b', controllerId: 'c', secret: 'secret-secret', cloudPublicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n', dataDir: join(dir, 'data') },
    console: { pinHash: await (await import('./fixtures/setup.ts')).testPinHash() },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const fx = await createCu16Fixture({ doorCount: 4, maxPulseMs: 600 });
  const logger = pino({ level: 'silent' });
  let rt: Awaited<ReturnType<typeof startController>> | undefined;
  // eslint-disable-next-line prefer-const -- the console backend's factory reads it through a closure once it is set
  rt = await startController({ config: v.config, bus: fx.bus, logger, serialConsole: false, consoleBackend: consoleBackendFactory({ config: v.config, logger, ring: undefined }, cfgFile.path, () => rt) });
  const runtime = rt;
  t.teardown(async () => {
    await runtime.stop();
    await fx.cleanup();
    cfgFile.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const backend = runtime.console!.backend;
  t.equal((await backend.open(2)).outcome, 'opened');
  fx.doors[2]!.force();
  await expectCondition(() => backend.events(50).some((e) => e.event.type === 'door-forced'), 5000, 'the forced door in the outbox');
  const evs = backend.events(50);
  const doorEvents = evs.filter((e) => e.event.type.startsWith('door-'));
  t.match(doorEvents, [
    { event: { type: 'door-opened', door: 2, cause: 'unlock' } },
    { event: { type: 'door-forced', door: 3 } },
  ], 'the door events, as the outbox recorded them (a forced door once, as door-forced)');
  t.ok(evs.every((e) => typeof e.seq === 'number'), 'each with the sequence number the outbox gave it');
  t.equal(new Set(evs.map((e) => e.seq)).size, evs.length, 'none listed twice');
  await backend.setService(4, 'out-of-service');
  t.match(backend.events(1)[0], { event: { type: 'service-changed', door: 4 }, seq: evs.at(-1)!.seq! + 1 }, "the console's own events go the same way");
});
