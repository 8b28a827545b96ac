// Dev tool (not a test): command -> ack round trip through the link on a local aedes, executor answering at once.
// node --import tsx firmware/test/link/helpers/measure-open.ts [count]
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerLink } from '../../../src/link/controller-link.ts';
import { spyFileHandles } from '../../../../scripts/test/contracts/fs-spy.ts';
import { startTestBroker } from './broker.ts';
import { FakeExecutor, TestCloud, makeCommand, openDoorBody, waitForEvent } from './cloud.ts';

const count = Number(process.argv[2] ?? 2000);
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const dir = mkdtempSync(join(tmpdir(), 'portier-measure-'));
const broker = await startTestBroker([{ bankId: 'bank-1', controllerId: 'col-1', secret: 's' }]);
const cloud = await TestCloud.connect(broker.url, privateKey);
const link = new ControllerLink({ brokerUrl: broker.url, bankId: 'bank-1', controllerId: 'col-1', secret: 's', cloudPublicKey: publicKey, dataDir: dir, executor: new FakeExecutor() });
const online = waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'online');
await link.start();
await online;
const target = { bankId: 'bank-1', controllerId: 'col-1' };
const lat: number[] = [];
// Durable writes of the command path, counted as the fdatasyncs of commands.log.
const spy = await spyFileHandles({ teardown: () => undefined });
const commandsLog = join(realpathSync(dir), 'commands.log');
for (let i = 0; i < count; i++) {
  const c = makeCommand(privateKey, 'open-door', openDoorBody(1), target);
  const t0 = performance.now();
  const ack = cloud.waitAck(c.id, 5000);
  await cloud.sendCommand(c);
  await ack;
  lat.push(performance.now() - t0);
}
const writes = spy.count('datasync', commandsLog);
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(2);
console.log(`commands=${count} p50_ms=${q(0.5)} p99_ms=${q(0.99)} max_ms=${q(1)} commands_log_syncs=${writes}`);
await link.stop();
await cloud.close();
await broker.stop();
rmSync(dir, { recursive: true, force: true });
