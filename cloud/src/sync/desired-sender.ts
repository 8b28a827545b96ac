/**
 * Signing and publishing controllers' desired states for the sync link (cloud-link.ts): one chain per controller, so
 * a version is stored before it is published and publishes of one controller go out in order. The versions are kept
 * by a `DesiredVersions` (a file each, or PostgreSQL shared by instances).
 */
import type { KeyObject } from 'node:crypto';
import { desiredStateHash, encodePayload, signMessage, type Desired, type DesiredState } from '@portier/protocol';
import type { Logger } from 'pino';
import type { DesiredVersions } from './desired-store.ts';
import { SyncError } from './link-types.ts';

export interface DesiredSenderOptions {
  signingKey: KeyObject;
  now: () => number;
  log: Logger;
  /** Where versions are kept; undefined until the link started. */
  versions: () => DesiredVersions | undefined;
  /** Publishes on the controller's `desired` topic (retained). */
  publish(bankId: string, controllerId: string, payload: Buffer): Promise<unknown>;
  /** A new state went out: the link tells its drift again. */
  published(bankId: string, controllerId: string): void;
}

export class DesiredSender {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly o: DesiredSenderOptions) {}

  private store(): DesiredVersions {
    const store = this.o.versions();
    if (!store) throw new SyncError('NOT_STARTED', 'link not started');
    return store;
  }

  /** Runs `run` after what is queued for the controller; a failure does not stop the ones after it. */
  private chain<T>(controllerId: string, run: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(controllerId) ?? Promise.resolve();
    const p = prev.then(run, run);
    this.chains.set(controllerId, p.catch(() => {}));
    return p;
  }

  /**
   * Signs and publishes (retained) a controller's state: version + 1 on every change, nothing for an unchanged one.
   * Stored durably before it is published, so a version is never used twice; a version another instance stored
   * first is refused by the store, whose copy is read again so the next try goes on above it.
   */
  publish(bankId: string, controllerId: string, state: DesiredState): Promise<Desired> {
    return this.chain(controllerId, async () => {
      const store = this.store();
      const hash = desiredStateHash(state);
      const last = store.get(controllerId);
      if (last && last.hash === hash && last.message.bankId === bankId) return last.message;
      const message: Desired = signMessage(
        { v: 1 as const, bankId, controllerId, version: (last?.message.version ?? 0) + 1, issuedAt: this.o.now(), state },
        this.o.signingKey,
      );
      try {
        await store.put({ message, hash });
      } catch (err) {
        await store.refresh([controllerId]).catch(() => undefined);
        throw err;
      }
      await this.o.publish(bankId, controllerId, encodePayload('desired', message));
      this.o.published(bankId, controllerId);
      return message;
    });
  }

  /**
   * Clears a controller's retained state (an empty retained payload) and forgets it, so it is not published again on
   * reconnect: for a controller whose column was deleted. Queued behind a publish under way, so the clear stays.
   */
  clear(bankId: string, controllerId: string): Promise<void> {
    return this.chain(controllerId, async () => {
      await this.store().delete(controllerId);
      await this.o.publish(bankId, controllerId, Buffer.alloc(0));
    });
  }

  /**
   * A controller applied a higher version than the last one this cloud signed: the cloud's data went back in time
   * (restored from a backup, or its sync folder lost). The controller refuses anything older than what it applied, so
   * the current state is signed again above that version, and versions go on from there.
   */
  above(bankId: string, controllerId: string, applied: number): Promise<unknown> {
    return this.chain(controllerId, async () => {
      const store = this.store();
      const last = store.get(controllerId);
      if (!last || last.message.version >= applied) return;
      this.o.log.warn({ controllerId, applied, held: last.message.version }, 'a controller applied a newer desired version than this cloud holds: publishing its state again above it');
      const { v, state } = last.message;
      const message: Desired = signMessage({ v, bankId, controllerId, version: applied + 1, issuedAt: this.o.now(), state }, this.o.signingKey);
      await store.put({ message, hash: last.hash });
      await this.o.publish(bankId, controllerId, encodePayload('desired', message));
    }).catch((err: unknown) => this.o.log.error({ err, controllerId }, 'desired state not published again'));
  }
}
