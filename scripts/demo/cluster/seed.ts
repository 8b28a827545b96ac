// The cluster demo's site, written once before the instances start: a cloud in this process on the database (under
// an instance id of its own, its embedded broker on a free port and heard by nobody) creates the admin, the demo
// organisation and bank (seed.ts), provisions each column's controller with the broker node it connects to, drops a
// parcel off and issues the staff's kiosk codes, then stops. Its data folder is the one every instance copies.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startCloud, type CloudRuntime } from '@portier/cloud';
import type { BankConfig } from '@portier/rig';
import { provisionDemoBank } from '../bank.ts';
import type { DemoParcel } from '../guide.ts';
import { DEMO_ADMIN, seedDemo, type SeededDemo } from '../seed.ts';

export interface SeededCluster {
  seedDir: string;
  secretsKeyFile: string;
  seeded: Omit<SeededDemo, 'makeParcel' | 'makeStaffCodes'>;
  bank: BankConfig;
  pickup: DemoParcel;
  staff: { operatorPin: string; carrierCode: string };
}

export async function seedCluster(o: {
  root: string;
  databaseUrl: string;
  /** The broker URL each column's controller is given. */
  brokerUrlOf(column: SeededDemo['columns'][number]): string;
  logger: Logger;
}): Promise<SeededCluster> {
  const seedDir = join(o.root, 'seed');
  const secretsKeyFile = join(o.root, 'secrets.key');
  const cloud: CloudRuntime = await startCloud({
    config: {
      dataDir: seedDir,
      secretsKeyFile,
      http: { host: '127.0.0.1', port: 0 },
      admin: DEMO_ADMIN,
      log: { level: 'warn' },
      store: { kind: 'postgres', url: o.databaseUrl, instanceId: 'demo-seed', poolSize: 2 },
    },
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    logger: o.logger,
  });
  try {
    const { makeParcel, makeStaffCodes, ...seeded } = await seedDemo(cloud.service);
    const bank = await provisionDemoBank({ root: o.root, dataDir: seedDir, seeded, cloud, brokerUrlOf: o.brokerUrlOf });
    const pickup = await makeParcel();
    const staff = await makeStaffCodes(DEMO_ADMIN.user);
    return { seedDir, secretsKeyFile, seeded, bank, pickup, staff };
  } finally {
    await cloud.stop();
  }
}
