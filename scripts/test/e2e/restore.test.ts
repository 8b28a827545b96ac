// End to end: a cloud restored from a backup holds older desired-state versions than its controllers applied since.
// A controller refuses a desired state older than the one it applied, so the restored cloud signs its state again
// above the controller's version: the controller ends up on the restored cloud's state (no drift), not on the newer
// state the restored cloud no longer knows. On the embedded broker only: the link rule is broker-agnostic, and under
// Mosquitto the restored folder would get a Mosquitto of its own on another port.
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { restoreBackup } from '@portier/cloud';
import { api, expectCondition, login, seedAndProvision, startBank, startE2eCloud, stopCloud, tempDir } from './helpers.ts';

t.test('restore: the controllers take the restored cloud\'s desired state, above the versions they applied after the backup', async (t) => {
  const dir = tempDir(t, 'portier-e2e-restore-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud') });
  const p = await seedAndProvision(cloud, dir);
  const bank = await startBank(t, cloud, p, { columns: [1], dataDir: join(dir, 'controllers') });
  const col = bank.column(1);
  const token = await login(cloud);
  const version = (): number => col.controller.linkStatus()?.desiredVersion ?? 0;

  // The backup, through the API as `portier-cloud backup` takes it.
  const res = await fetch(`${cloud.httpUrl}/api/v1/backup`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(res.status, 200);
  const backupFile = join(dir, 'cloud.backup');
  await writeFile(backupFile, Buffer.from(await res.arrayBuffer()), { mode: 0o600 });
  const atBackup = version();

  // After the backup: locker 1 (column 1) goes out of service; the controller applies newer versions.
  const out = await api(cloud, 'PUT', `/banks/${p.seeded.bankId}/lockers/1/service`, token, { state: 'out-of-service', reason: 'after the backup' });
  t.equal(out.status, 200);
  await expectCondition(() => version() > atBackup, 8000, 'the controller applied the change');
  const applied = version();
  await expectCondition(() => cloud.link.controller(col.controllerId)?.drift === false, 8000, 'in step before the restore');

  await stopCloud(cloud);
  const restored = join(dir, 'restored');
  await restoreBackup({ from: backupFile, dataDir: restored });
  await copyFile(`${cloud.dataDir}.secrets.key`, `${restored}.secrets.key`);
  const again = await startE2eCloud(t, { dataDir: restored, mqttPort: Number(new URL(cloud.mqttUrl).port) });

  const locker = await api(again, 'GET', `/banks/${p.seeded.bankId}/lockers/1`, await login(again));
  t.equal(locker.json.locker.service, 'in-service', 'the restored cloud has locker 1 in service, as at the backup');
  await expectCondition(() => version() > applied, 8000, 'the controller applied a state above the one it had');
  await expectCondition(() => again.link.controller(col.controllerId)?.drift === false, 8000, 'the controller holds the restored cloud\'s state');
  t.pass('the controller is back in step with the restored cloud');
});
