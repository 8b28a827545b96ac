/**
 * Who acts for each bank's controllers (sync/bank-ownership.ts), wired to the parts that act: one cloud on the data
 * folder's store owns every bank; instances sharing a PostgreSQL store divide the banks through leases, and one that
 * takes a bank over reads again what the previous owner stored and signed (link), applies the events it left unapplied
 * (ingest), asks the controllers for events they hold unacked (link) and publishes the bank's states (publisher).
 */
import type { Logger } from 'pino';
import type { EventIngest } from '../bridge/event-ingest.ts';
import type { DesiredPublisher } from '../bridge/desired-publisher.ts';
import type { Store } from '../store/store.ts';
import { BankOwnership, SoleOwner, type BankOwner } from '../sync/bank-ownership.ts';
import type { CloudLink } from '../sync/cloud-link.ts';

export interface ControllerOwnership {
  owner: BankOwner;
  /**
   * Before the link connects: a lone instance reads what is stored for every bank's controllers and applies what the
   * domain has not seen from a journal in the database (the ingest's own start replays the data folder's).
   */
  prepare(link: CloudLink, ingest: EventIngest, journalInDatabase: boolean): Promise<void>;
  /** Wires the takeover to the link, ingest and publisher, and runs the first round (a lone instance then owns all). */
  start(parts: { link: CloudLink; ingest: EventIngest; publisher: () => DesiredPublisher | undefined }): Promise<void>;
  /** Gives every bank up at once, so the other instances take them over without waiting for the leases to expire. */
  stop(): Promise<void>;
}

export interface ControllerOwnershipOptions {
  store: Store;
  /** Set for a store shared by several instances: this instance's id, the holder of its leases. */
  instanceId: string | undefined;
  logger: Logger;
  now: () => number;
  /** Lease lifetime and renewal period (tests). */
  leases?: { ttlMs?: number; renewMs?: number };
}

export function controllerOwnership(o: ControllerOwnershipOptions): ControllerOwnership {
  if (o.instanceId === undefined) {
    return {
      owner: new SoleOwner(),
      // Every bank is this instance's, from before the link hears its controllers.
      prepare: async (link, ingest, journalInDatabase) => {
        const controllers = await link.refresh(o.store.list('banks').map((b) => b.id));
        if (journalInDatabase) await ingest.catchUp(controllers);
      },
      start: async () => {},
      stop: async () => {},
    };
  }
  const ownership = new BankOwnership({ store: o.store, instanceId: o.instanceId, logger: o.logger, now: o.now, ...o.leases });
  const banksOf = (shards: number[]): string[] => {
    const wanted = new Set(shards);
    return o.store
      .list('banks')
      .map((b) => b.id)
      .filter((id) => wanted.has(ownership.shardOf(id)));
  };
  return {
    owner: ownership,
    // Nothing counts as owned before its takeover, which reads it.
    prepare: async () => {},
    async start({ link, ingest, publisher }) {
      ownership.onTakeOver(async (shards) => {
        const controllers = await link.refresh(banksOf(shards));
        await ingest.catchUp(controllers);
      });
      ownership.on('gained', (shards) => {
        const banks = banksOf(shards);
        link.resume(banks);
        publisher()?.takeOver(banks);
      });
      ownership.on('lost', (shards) => link.release(banksOf(shards)));
      await ownership.start();
    },
    stop: () => ownership.stop(),
  };
}
