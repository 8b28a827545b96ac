import { parsePayload } from '@portier/protocol';
import t from 'tap';
import { provision } from '../../src/provision/provision.ts';
import { startCloudMqtt } from '../../src/sync/index.ts';
import type { RemoteOpenAuditEntry } from '../../src/sync/remote-open.ts';
import { client, tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

t.test('startCloudMqtt wires broker, service account, link and remote open end to end', async (t) => {
  const dataDir = await tempDir(t);
  const audit: RemoteOpenAuditEntry[] = [];
  const mqtt = await startCloudMqtt({
    dataDir,
    broker: { kind: 'embedded', port: 0 },
    doorMap: { lookup: (bank, n) => (bank === 'bank-1' && n === 12 ? { controllerId: 'col-1', door: 2 } : undefined) },
    audit: (e) => void audit.push(e),
    registry: { hashParams: TEST_HASH },
    refreshIdentitiesMs: 0,
  });
  t.teardown(() => mqtt.close());
  t.equal(mqtt.link.isConnected, true);
  const out = join(dataDir, 'col-1.yaml');
  await provision({ dataDir, bankId: 'bank-1', controllerId: 'col-1', column: 1, brokerUrl: mqtt.brokerUrl, out, identities: mqtt.identities });
  const cfg = (parse(await readFile(out, 'utf8')) as { link: { secret: string; controllerId: string; brokerUrl: string } }).link;
  const c = await client(t, cfg.brokerUrl, { clientId: cfg.controllerId, username: cfg.controllerId, password: cfg.secret });
  await c.subscribeAsync('portier/v1/bank-1/col-1/cmd', { qos: 1 });
  c.on('message', (_topic, payload) => {
    const r = parsePayload('cmd', payload);
    if (r.ok) c.publish('portier/v1/bank-1/col-1/ack', JSON.stringify({ v: 1, commandId: r.value.id, status: 'opened', at: Date.now() }), { qos: 1 });
  });
  const r = await mqtt.remoteOpen.open({ bankId: 'bank-1', lockerNumber: 12, reason: 'demo', actor: { role: 'operator', id: 'op' } });
  t.equal(r.outcome, 'opened');
  t.same(audit.map((e) => e.phase), ['requested', 'finished']);
  await mqtt.close();
  await mqtt.close();
});
