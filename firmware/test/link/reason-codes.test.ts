// MQTT 5 reason codes on the controller's link: Mosquitto answers a publish its ACL denies with PUBACK 0x87 (in 3.1.1
// it takes the message and drops it without a word). The link shows the refusal as its last error and keeps the
// refused event in its outbox. Skips with a reason when Mosquitto is not installed.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ControllerLink, type LinkStatus } from '../../src/link/controller-link.ts';
import { FakeExecutor, waitForEvent } from './helpers/cloud.ts';
import { BANK, CTRL, SECRET } from './helpers/fixture.ts';
import { mosquittoMissing, startMosquitto } from './helpers/mosquitto.ts';

const missing = mosquittoMissing();

t.test('MQTT 5: a publish the broker refuses is the last error, and the event stays in the outbox', missing ? { skip: missing } : {}, async (t) => {
  const broker = await startMosquitto([{ bankId: BANK, controllerId: CTRL, secret: SECRET }]);
  t.teardown(() => broker.dispose?.());
  const dir = mkdtempSync(join(tmpdir(), 'portier-reason-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Its own identity, under a bank it does not belong to: every topic it publishes on is outside its ACL.
  const link = new ControllerLink({
    brokerUrl: broker.url,
    mqttVersion: '5',
    bankId: 'bank-9',
    controllerId: CTRL,
    secret: SECRET,
    cloudPublicKey: generateKeyPairSync('ed25519').publicKey,
    dataDir: dir,
    executor: new FakeExecutor(),
    backoff: { minMs: 50, maxMs: 200 },
  });
  t.teardown(() => link.stop());
  const online = waitForEvent(link as never, 'state', (s: LinkStatus) => s.state === 'online');
  await link.start();
  await online;
  const refused = waitForEvent(link as never, 'state', (s: LinkStatus) => /publish on evt refused/.test(s.lastError?.message ?? ''));
  await link.publishEvent({ type: 'door-forced', door: 1 });
  await refused;
  const s = link.status();
  t.match(s.lastError, { message: /^publish on evt refused: .*Not authorized/, code: 0x87 }, 'the refusal and its reason code');
  t.equal(s.state, 'online', 'still connected: a refusal is not a lost connection');
  t.equal(s.outboxDepth, 1, 'the refused event is kept to be sent again');
});
