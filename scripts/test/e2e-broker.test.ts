// The end-to-end suite's Mosquitto (scripts/test/e2e/broker.ts), as the operator steps it stands for: an identity
// provisioned after Mosquitto started is refused until the files are written again and Mosquitto reloaded; an
// outage (stop by PID, start again) keeps the port, and the controller's queued command survives it. And the halves
// of a flow's file (every broker, or the one PORTIER_E2E_BROKER names), a wrong value refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { IdentityRegistry } from '@portier/cloud';
import { ensureServiceAccount } from '@portier/cloud';
import { Mosquitto, mosquittoMissing } from './e2e/broker.ts';
import { brokersOfRun, e2eBroker } from './e2e/both-brokers.ts';
import { TEST_HASH, connect, expectEvent } from './e2e/helpers.ts';

t.test('a flow runs on its brokers; PORTIER_E2E_BROKER keeps one', async (t) => {
  t.same(brokersOfRun(undefined), ['embedded', 'mosquitto', 'nats'], 'every one by default, the embedded broker first');
  t.same(brokersOfRun(''), ['embedded', 'mosquitto', 'nats']);
  t.same(brokersOfRun('mosquitto'), ['mosquitto']);
  t.same(brokersOfRun('embedded'), ['embedded']);
  t.same(brokersOfRun('nats'), ['nats']);
  t.throws(() => brokersOfRun('aedes'), /PORTIER_E2E_BROKER must be embedded, mosquitto or nats, not "aedes"/, 'a wrong value is refused, not read as the default');
  t.equal(e2eBroker(), 'embedded', 'a test outside a flow runs on the embedded broker');
});

t.test('the harness Mosquitto: new accounts after a reload, the same port and the queued command after an outage', { skip: mosquittoMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-e2e-broker-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const reg = await IdentityRegistry.open(join(dir, 'cloud'), { hashParams: TEST_HASH });
  const service = await ensureServiceAccount({ dataDir: join(dir, 'cloud'), identities: reg });
  const m = await Mosquitto.start(reg, join(dir, 'mosquitto'));
  t.teardown(() => m.stop());

  const { secret } = await reg.createController({ controllerId: 'ctl-1', bankId: 'bank-1', column: 1 });
  const asController = { clientId: 'ctl-1', username: 'ctl-1', password: secret, clean: false };
  await t.rejects(connect(m.url, asController), 'provisioned after the start: refused until the files are reloaded');
  await m.syncAccounts(reg);
  const ctl = await connect(m.url, asController);
  await ctl.subscribeAsync('portier/v1/bank-1/ctl-1/cmd', { qos: 1 });
  await ctl.endAsync();

  // Queued for the offline controller's session, then an outage.
  const cloud = await connect(m.url, { clientId: service.username, username: service.username, password: service.password });
  await cloud.publishAsync('portier/v1/bank-1/ctl-1/cmd', 'queued while away', { qos: 1 });
  await cloud.endAsync();
  const port = m.port;
  await m.stop();
  t.notOk(m.running, 'stopped');
  await t.rejects(connect(m.url, asController), 'nobody answers during the outage');
  await m.resume();
  t.equal(m.port, port, 'back on the same port');
  const back = mqtt.connect(m.url, { ...asController, reconnectPeriod: 0 });
  t.teardown(() => back.endAsync(true));
  const [topic, payload] = await expectEvent(back, 'message', 5000, { description: 'the queued command' });
  t.equal(topic, 'portier/v1/bank-1/ctl-1/cmd');
  t.equal(String(payload), 'queued while away', 'the controller gets what was queued before the outage');
});
