// The site of the soaks, written into a fresh data folder by the cloud itself (in this process, then
// stopped): one bank with two columns, each driven by a real controller on the simulator (column 1 answers remote
// opens, column 2 produces door events), 48 lockers, and the controllers' configuration files.
import { join } from 'node:path';
import { pino } from 'pino';
import { startCloud, provision } from '@portier/cloud';
import { SOAK_ADMIN } from './cloud-child.ts';

export const SOAK_BANK = 'soak-bank';
/** Lockers 1..40 take reservations; 41..48 have their service state toggled. */
export const RESERVABLE = 40;
export const SERVICE_LOCKERS = [41, 42, 43, 44, 45, 46, 47, 48];
export const DOORS_PER_COLUMN = 24;

export interface SoakSite {
  /** Controller configuration file of column `n` (1 or 2). */
  controllerConfig(column: 1 | 2): string;
  controllerId(column: 1 | 2): string;
}

export async function seedSoakSite(dataDir: string, dir: string, mqttPort: number): Promise<SoakSite> {
  const actor = { role: 'admin' as const, id: 'soak-seed' };
  const cloud = await startCloud({
    config: {
      dataDir,
      http: { host: '127.0.0.1', port: 0 },
      admin: SOAK_ADMIN,
      log: { level: 'warn' },
      expiry: { intervalSeconds: 0 },
      auth: { argon2: { memoryCost: 64, timeCost: 1 } },
    },
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'warn' }),
  });
  try {
    const s = cloud.service;
    const enterpriseId = (await s.users.findUserByUsername(SOAK_ADMIN.user))!.enterpriseId;
    await s.createDivision({ id: 'soak-div', enterpriseId, name: 'Soak' }, actor);
    await s.createLocation({ id: 'soak-loc', divisionId: 'soak-div', name: 'Soak hall' }, actor);
    await s.createBank({ id: SOAK_BANK, locationId: 'soak-loc', name: 'Soak bank' }, actor);
    for (const column of [1, 2] as const) {
      await s.createColumn({ id: `soak-c${column}`, bankId: SOAK_BANK, position: column, kind: 'plain', controllerId: `soak-ctl-${column}` }, actor);
      await s.createLockers(
        Array.from({ length: DOORS_PER_COLUMN }, (_, i) => ({
          bankId: SOAK_BANK,
          number: (column - 1) * DOORS_PER_COLUMN + i + 1,
          columnId: `soak-c${column}`,
          door: i + 1,
          size: 'S' as const,
          bottomCm: 10 + (i % 8) * 20,
          topCm: 30 + (i % 8) * 20,
          loading: 'front' as const,
        })),
        actor,
      );
      await provision({
        dataDir,
        bankId: SOAK_BANK,
        controllerId: `soak-ctl-${column}`,
        column,
        brokerUrl: `mqtt://127.0.0.1:${mqttPort}`,
        out: join(dir, `soak-ctl-${column}.yaml`),
        identities: cloud.identities,
      });
    }
    await s.createContact({ enterpriseId, id: 'soak-rec', name: 'Soak Recipient', needsAccessible: false }, actor);
  } finally {
    await cloud.stop();
  }
  return { controllerConfig: (c) => join(dir, `soak-ctl-${c}.yaml`), controllerId: (c) => `soak-ctl-${c}` };
}
