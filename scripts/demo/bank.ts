// The demo bank's columns as an operator sets them up: each column's controller provisioned like a real one (its
// identity and credential key in the cloud's data folder, its configuration file under the demo's folder), then the
// bank description the simulator runs them from (virtual KR-CU16 lock boards, the real controller firmware).
import { join } from 'node:path';
import { provision, type CloudRuntime } from '@portier/cloud';
import { validateBankConfig, type BankConfig } from '@portier/rig';
import type { SeededDemo } from './seed.ts';

export interface DemoBankInput {
  /** The demo's folder: controller configurations go to `controllers/`, their data to `controllers-data/`. */
  root: string;
  /** The cloud's data folder the identities are issued in. */
  dataDir: string;
  seeded: Pick<SeededDemo, 'bankId' | 'columns'>;
  /** The running cloud's registry and credential keys (provisioning writes through them). */
  cloud: Pick<CloudRuntime, 'identities' | 'credentialKeys'>;
  /** The broker URL written into each column's controller configuration. */
  brokerUrlOf(column: SeededDemo['columns'][number]): string;
  /** One broker for every column, overriding the URLs of configurations written by an earlier run. */
  brokerUrl?: string;
}

/** Provisions every column of the seeded bank (once: an earlier run's files are kept) and describes the bank. */
export async function provisionDemoBank(o: DemoBankInput): Promise<BankConfig> {
  const columns = [];
  for (const col of o.seeded.columns) {
    const out = join(o.root, 'controllers', `${col.controllerId}.yaml`);
    await provision({
      dataDir: o.dataDir,
      bankId: o.seeded.bankId,
      controllerId: col.controllerId,
      column: col.position,
      brokerUrl: o.brokerUrlOf(col),
      out,
      identities: o.cloud.identities,
      credentialKeys: o.cloud.credentialKeys,
    }).catch((err: Error) => {
      // Already provisioned by an earlier demo run: the config file on disk still holds the identity.
      if (!/exist|already/i.test(err.message)) throw err;
    });
    columns.push({ controllerConfig: out, doors: col.doors, kiosk: col.kind === 'kiosk', behaviour: { springDelayMs: 150 } });
  }
  return validateBankConfig(
    {
      name: 'Demo mailroom',
      bankId: o.seeded.bankId,
      ...(o.brokerUrl !== undefined ? { cloud: { brokerUrl: o.brokerUrl } } : {}),
      transport: 'mock',
      dataDir: join(o.root, 'controllers-data'),
      columns,
    },
    { baseDir: o.root },
  );
}
