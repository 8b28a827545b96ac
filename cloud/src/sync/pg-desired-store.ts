/**
 * The last desired state signed per controller in PostgreSQL (table `desired_versions` of
 * store/pg/migrations/0003_link.sql), for several cloud instances on one database: the instance that takes a bank over
 * goes on from the versions the previous owner signed. Every row is held in memory (`get`/`all` stay synchronous;
 * `all` is what the link publishes again when it reconnects), loaded at open and by `refresh`.
 *
 * A row only moves to a higher version: `put` writes only when the stored version is lower than the new one, and is
 * refused (DesiredStoreError CONFLICT) when another instance stored that version or a newer one. Memory then holds
 * the stored row, so the next version is signed above it: no version is ever signed twice, across instances.
 */
import { desiredSchema, type Desired } from '@portier/protocol';
import { z } from 'zod';
import { DesiredStoreError, type DesiredVersions, type SentDesired } from './desired-store.ts';
import type { Queryable } from './pg-link-rows.ts';

interface Row {
  controller_id: string;
  message: unknown;
  hash: string;
}

const hashSchema = z.string().min(1).max(200);
const SELECT = 'SELECT controller_id, message, hash FROM desired_versions';

function toSent(row: Row): SentDesired {
  let message: Desired;
  let hash: string;
  try {
    message = desiredSchema.parse(row.message);
    hash = hashSchema.parse(row.hash);
  } catch (err) {
    throw new DesiredStoreError(`desired_versions row of ${row.controller_id}: ${(err as Error).message.slice(0, 200)}`, { cause: err });
  }
  if (message.controllerId !== row.controller_id) throw new DesiredStoreError(`desired_versions row of ${row.controller_id} holds the state of ${message.controllerId}`);
  return { message, hash };
}

export class PgDesiredStore implements DesiredVersions {
  private readonly byController = new Map<string, SentDesired>();

  private constructor(private readonly db: Queryable) {}

  /** Loads every controller's row from a database whose schema is migrated (PgStore.open does it). */
  static async open(db: Queryable): Promise<PgDesiredStore> {
    const store = new PgDesiredStore(db);
    for (const row of (await db.query<Row>(`${SELECT} ORDER BY controller_id`)).rows) store.byController.set(row.controller_id, toSent(row));
    return store;
  }

  get(controllerId: string): SentDesired | undefined {
    return this.byController.get(controllerId);
  }

  all(): SentDesired[] {
    return [...this.byController.values()];
  }

  /**
   * Stores a newly signed state, durably, before it is published. Refused with CONFLICT when the database holds that
   * version or a newer one (another instance signed it): memory then holds the database's row. The very message again
   * (a retry after an answer lost with the connection) counts as stored.
   */
  async put(sent: SentDesired): Promise<void> {
    const m = sent.message;
    const r = await this.db.query(
      `INSERT INTO desired_versions (controller_id, bank_id, version, message, hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (controller_id) DO UPDATE SET bank_id = excluded.bank_id, version = excluded.version, message = excluded.message, hash = excluded.hash
       WHERE desired_versions.version < excluded.version
       RETURNING 1`,
      [m.controllerId, m.bankId, m.version, JSON.stringify(m), sent.hash],
    );
    if (r.rowCount === 1) {
      this.byController.set(m.controllerId, sent);
      return;
    }
    await this.refresh([m.controllerId]);
    const stored = this.byController.get(m.controllerId)?.message;
    // Our own row: an earlier try of this put committed and its answer was lost with the connection.
    if (stored?.version === m.version && stored.sig === m.sig) return;
    const held = stored?.version;
    throw new DesiredStoreError(
      `${m.controllerId}: desired version ${m.version} not stored: another instance stored version ${held ?? '(deleted since)'}; sign the next one above it`,
      undefined,
      'CONFLICT',
    );
  }

  /** Forgets a controller's state (its column was deleted): it is not published again. */
  async delete(controllerId: string): Promise<void> {
    await this.db.query('DELETE FROM desired_versions WHERE controller_id = $1', [controllerId]);
    this.byController.delete(controllerId);
  }

  /** Reads these controllers' rows again: another instance may have signed newer states, or deleted them. */
  async refresh(controllerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(controllerIds)];
    if (ids.length === 0) return;
    const rows = (await this.db.query<Row>(`${SELECT} WHERE controller_id = ANY($1::text[])`, [ids])).rows;
    const found = new Map(rows.map((row) => [row.controller_id, toSent(row)]));
    for (const id of ids) {
      const sent = found.get(id);
      if (sent) this.byController.set(id, sent);
      else this.byController.delete(id);
    }
  }
}
