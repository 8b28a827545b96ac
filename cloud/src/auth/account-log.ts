/**
 * The activity log's entries about user accounts (type `account`): an API key made or revoked, a user's sessions
 * ended by an administrator. Never a token, a key or a password: only who, on what, and what changed.
 */
import type { RandomSource } from '../domain/core.ts';
import type { ActivityEntry, Actor, AuditChange, AuditTarget } from '../domain/model.ts';
import type { Put, Store } from '../store/store.ts';

export class AccountLog {
  constructor(private readonly o: { store: Pick<Store, 'commit'>; now: () => number; random: Pick<RandomSource, 'id'> }) {}

  /** The entry of one change to an account, for a commit of its own or with the change it describes. */
  entry(actor: Actor, enterpriseId: string, target: { kind: AuditTarget; id: string }, detail: string, changes: readonly AuditChange[] = []): ActivityEntry {
    return { id: this.o.random.id('a'), at: this.o.now(), type: 'account', actor, enterpriseId, target, detail, ...(changes.length > 0 ? { changes: [...changes] } : {}) };
  }

  /** Commits `put` (when given) and its entry together: durable when this resolves. */
  async record(put: Put | undefined, entry: ActivityEntry): Promise<void> {
    await this.o.store.commit({ ...(put ? { put: [put] } : {}), activity: [entry] });
  }
}
