/**
 * What follows a column's deletion in a running cloud: its controller can no longer connect and no retained desired
 * state is left for it on the broker.
 *
 * The controller's identity is revoked first (the embedded broker drops its live connection on the registry's
 * `revoked` event, and the link refuses to publish to a revoked controller from then on), then its retained desired
 * state is cleared. In that order, a rebuild of the bank racing the deletion cannot publish after the clear.
 * The identities revoked are the column's own controller and any active identity provisioned for the bank at the
 * column's position (door-map.ts: the identity at a position drives that column).
 */
import type { Logger } from 'pino';
import type { ColumnDeleted } from '../domain/events.ts';
import { IdentityError, type ControllerIdentity } from '../mqtt/identities.ts';

/** The registry as this needs it (IdentityRegistry has it). */
export interface RetiringIdentities {
  controllersOfBank(bankId: string): readonly ControllerIdentity[];
  revoke(name: string): Promise<unknown>;
}

/** The link as this needs it (CloudLink has it). */
export interface RetiringLink {
  clearDesired(bankId: string, controllerId: string): Promise<void>;
}

export interface ColumnDeletedSource {
  on(event: 'column-deleted', l: (e: ColumnDeleted) => void): unknown;
  off(event: 'column-deleted', l: (e: ColumnDeleted) => void): unknown;
}

export interface RetiredColumn {
  columnId: string;
  bankId: string;
  revoked: string[];
}

/** The controllers a deleted column leaves behind: its own and whoever is provisioned at its position. */
export function controllersOfColumn(identities: Pick<RetiringIdentities, 'controllersOfBank'>, e: ColumnDeleted): string[] {
  const atPosition = identities.controllersOfBank(e.column.bankId).filter((c) => c.column === e.column.position).map((c) => c.controllerId);
  return [...new Set([e.column.controllerId, ...atPosition])];
}

/** Retires one deleted column's controllers; an identity never provisioned is skipped. */
export async function retireColumn(deps: { identities: RetiringIdentities; link: RetiringLink; logger: Logger }, e: ColumnDeleted): Promise<RetiredColumn> {
  const log = deps.logger.child({ module: 'retire-column' });
  const revoked: string[] = [];
  for (const controllerId of controllersOfColumn(deps.identities, e)) {
    try {
      await deps.identities.revoke(controllerId);
    } catch (err) {
      if (err instanceof IdentityError && err.code === 'NOT_FOUND') continue;
      throw err;
    }
    revoked.push(controllerId);
    await deps.link.clearDesired(e.column.bankId, controllerId);
    log.info({ columnId: e.column.id, bankId: e.column.bankId, controllerId }, 'column deleted: controller identity revoked and its retained desired state cleared');
  }
  return { columnId: e.column.id, bankId: e.column.bankId, revoked };
}

/**
 * Listens to the domain's `column-deleted` and retires each deleted column; `onRetired` hears of each one done (tests
 * wait on it). Returns the stop function.
 */
export function retireDeletedColumns(
  deps: { events: ColumnDeletedSource; identities: RetiringIdentities; link: RetiringLink; logger: Logger },
  onRetired?: (r: RetiredColumn) => void,
): () => void {
  const listener = (e: ColumnDeleted): void => {
    retireColumn(deps, e).then(
      (r) => onRetired?.(r),
      (err: unknown) =>
        deps.logger.error(
          { err, columnId: e.column.id, controllerId: e.column.controllerId },
          `column ${e.column.id} was deleted but its controller was not retired: run portier-cloud revoke --controller ${e.column.controllerId}`,
        ),
    );
  };
  deps.events.on('column-deleted', listener);
  return () => deps.events.off('column-deleted', listener);
}
