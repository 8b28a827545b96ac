// The end-to-end suite's NATS cluster (scripts/test/e2e/nats-cluster.ts), as the operator steps it stands for: an
// identity provisioned after the cluster started is refused until auth.conf is written again and every node reloaded;
// and what reusing one cluster for a test file's tests rests on: the next data folder, with the same controller id
// and a new secret, finds none of what the previous folder's identities left (the controller's session and the
// command queued in it, its retained desired state, the old secret). Skipped, by name, where nats-server is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import t from 'tap';
import { topicFor } from '@portier/protocol';
import { IdentityRegistry, ensureServiceAccount } from '@portier/cloud';
import { NatsCluster, natsMissing } from './e2e/nats-cluster.ts';
import { TEST_HASH, connect, expectCondition } from './e2e/helpers.ts';

// Three servers electing JetStream leaders and creating replicated sessions, on a machine that may be busy.
t.setTimeout(120_000);

const BANK = 'bank-1';
const CMD = topicFor(BANK, 'ctl-1', 'cmd');
const DESIRED = topicFor(BANK, 'ctl-1', 'desired');
/** A node answers a CONNECT once JetStream has loaded or written the session, three replicas on a busy machine. */
const SLOW = { connectTimeout: 20_000 };

/** A data folder of its own: its registry, the cloud's service account in it, and the controller `ctl-1`. */
async function folder(dir: string, name: string) {
  const dataDir = join(dir, name);
  const reg = await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH });
  const service = await ensureServiceAccount({ dataDir, identities: reg });
  return { dataDir, reg, service };
}

/** Every message `c` gets from now on, in order. */
function received(c: MqttClient): Array<[string, string]> {
  const got: Array<[string, string]> = [];
  c.on('message', (topic, payload) => got.push([topic, payload.toString()]));
  return got;
}

t.test('the harness NATS cluster: new accounts after a reload; a next data folder finds nothing of the previous one', { skip: natsMissing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-e2e-nats-broker-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = await folder(dir, 'a');
  const cluster = await NatsCluster.serve(a.reg, a.dataDir);
  t.equal(cluster.nodeUrls.length, 3, 'three nodes');
  t.equal(cluster.url, cluster.nodeUrls.join(','), "the cloud's URL lists every node");
  const [n1, n2, n3] = cluster.nodeUrls as [string, string, string];

  const { secret } = await a.reg.createController({ controllerId: 'ctl-1', bankId: BANK, column: 1 });
  const asA = { clientId: 'ctl-1', username: 'ctl-1', password: secret, clean: false, ...SLOW };
  await t.rejects(connect(n1, asA), 'provisioned after the start: refused until auth.conf is written again and reloaded');
  await cluster.syncAccounts(a.reg);
  const ctl = await connect(n1, asA);
  await ctl.subscribeAsync([CMD, DESIRED], { qos: 1 });
  await ctl.endAsync();
  // What the folder leaves: a command queued for the offline controller, a retained desired state.
  const svc = await connect(n2, { clientId: 'e2e-svc-a', ...a.service, ...SLOW });
  await svc.publishAsync(CMD, 'queued for a', { qos: 1 });
  await svc.publishAsync(DESIRED, 'desired of a', { qos: 1, retain: true });
  await svc.endAsync();

  // The next folder: the same controller id, a new secret.
  const b = await folder(dir, 'b');
  await cluster.release(); // the end of the folder's test
  const again = await NatsCluster.serve(b.reg, b.dataDir);
  t.equal(again, cluster, 'the same cluster');
  t.same(again.nodeUrls, [n1, n2, n3], 'on the same ports');
  const next = await b.reg.createController({ controllerId: 'ctl-1', bankId: BANK, column: 1 });
  await again.syncAccounts(b.reg);
  await t.rejects(connect(n3, asA), "the previous folder's secret is refused");
  const asB = { ...asA, password: next.secret };
  const ctlB = await connect(n3, asB);
  t.teardown(() => ctlB.endAsync(true));
  const got = received(ctlB);
  await ctlB.subscribeAsync([CMD, DESIRED], { qos: 1 });
  // Fresh messages of the new folder through another node: once both arrived, anything the broker still held for
  // ctl-1 (delivered at the connect, or retained at the subscribe) would have come before.
  const svcB = await connect(n1, { clientId: 'e2e-svc-b', ...b.service, ...SLOW });
  t.teardown(() => svcB.endAsync(true));
  await svcB.publishAsync(CMD, 'fresh of b', { qos: 1 });
  await svcB.publishAsync(DESIRED, 'desired of b', { qos: 1, retain: true });
  await expectCondition(() => got.some(([, p]) => p === 'fresh of b') && got.some(([, p]) => p === 'desired of b'), 10_000, 'the fresh messages');
  t.same(
    got,
    [
      [CMD, 'fresh of b'],
      [DESIRED, 'desired of b'],
    ],
    "none of the previous folder's queued command and retained desired state",
  );
});
