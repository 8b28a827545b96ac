/**
 * The applied-up-to marks of event ingest: per controller, the highest seq applied to the domain, kept durably in the
 * domain store's `ingestMarks` collection (key controllerId, `{ controllerId, appliedUpTo, at }`), one put per applied
 * event, group-committed with every other write (no file of its own, no fsync of its own). A transaction's mark also
 * carries `applying: { seq, at }` while its domain call runs (crash-window.ts reads it).
 *
 * Upgrade: marks kept by older versions in `<stateDir>/ingest.json` are taken into the store at the first start on a
 * store with no marks, and the file is renamed `ingest.json.migrated` (an unreadable file is an IngestError: nothing
 * is guessed). On the first start on a store without marks, a journal from before the bridge existed is taken as
 * applied: it is not replayed into today's domain (old service changes would undo newer ones).
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CloudError } from '../../errors.ts';
import { ensureDir, readTextIfExists } from '../../mqtt/fs.ts';
import { INGEST_STARTED_KEY, type IngestMark, type Store } from '../../store/store.ts';
import type { StoredEvent } from '../../sync/event-journal.ts';

export const INGEST_FILE = 'ingest.json';
export const INGEST_FILE_MIGRATED = 'ingest.json.migrated';
const marksFile = z.strictObject({ version: z.literal(1), appliedUpTo: z.record(z.string(), z.number().int().min(0)) });

/** The marks file of an older version cannot be read. */
export class IngestError extends CloudError<'CORRUPT'> {
  override name = 'IngestError';
  constructor(message: string) {
    super('CORRUPT', message);
  }
}

export class IngestMarks {
  private readonly applied = new Map<string, number>();
  /** Controllers whose events wait for a restart: a mark or a domain change of theirs could not be saved. */
  private readonly stuck = new Set<string>();
  /** Mark commits not yet durable. */
  private readonly saving = new Set<Promise<void>>();
  private readonly file: string;

  constructor(
    private readonly opts: { store: Store; stateDir: string; log: Logger; now: () => number },
  ) {
    this.file = join(opts.stateDir, INGEST_FILE);
  }

  /** Loads the marks into memory (taking in an older version's file, or initialising them from `journal`). */
  async load(journal: readonly StoredEvent[]): Promise<void> {
    const { store, log } = this.opts;
    await ensureDir(this.opts.stateDir);
    let initialised = store.count('ingestMarks') > 0;
    const text = await readTextIfExists(this.file);
    if (text !== undefined && initialised) {
      // Taken in before, the rename was lost (a crash right after the commit): the store's marks are newer.
      await this.retireFile();
    } else if (text !== undefined) {
      let parsed: z.infer<typeof marksFile>;
      try {
        parsed = marksFile.parse(JSON.parse(text));
      } catch (err) {
        throw new IngestError(`${this.file}: ${(err as Error).message.slice(0, 200)}`);
      }
      const marks = Object.entries(parsed.appliedUpTo).map(([c, seq]) => this.markOf(c, seq));
      await store.commit({ put: [this.startedMark(), ...marks].map((value) => ({ c: 'ingestMarks' as const, key: value.controllerId, value })) });
      await this.retireFile();
      log.info({ controllers: marks.length }, `ingest marks taken from ${INGEST_FILE} into the store`);
      initialised = true;
    }
    if (!initialised) {
      // First start of the bridge on this store. An empty journal is the normal case.
      const upTo = new Map<string, number>();
      for (const e of journal) upTo.set(e.controllerId, Math.max(upTo.get(e.controllerId) ?? 0, e.seq));
      if (journal.length > 0) log.warn({ events: journal.length }, 'no ingest marks: events stored before the bridge are taken as applied');
      const marks = [this.startedMark(), ...[...upTo].map(([c, seq]) => this.markOf(c, seq))];
      await store.commit({ put: marks.map((value) => ({ c: 'ingestMarks' as const, key: value.controllerId, value })) });
    }
    for (const m of store.list('ingestMarks')) if (m.controllerId !== INGEST_STARTED_KEY) this.applied.set(m.controllerId, m.appliedUpTo);
  }

  /**
   * Reads a controller's mark again from the store, where another instance kept it while that one applied its events
   * (this instance takes their bank over); a controller stopped here after a failed save is tried again.
   */
  reload(controllerId: string): void {
    const m = this.opts.store.get('ingestMarks', controllerId);
    if (m) this.applied.set(controllerId, m.appliedUpTo);
    else this.applied.delete(controllerId);
    this.stuck.delete(controllerId);
  }

  /** Highest seq of a controller applied to the domain. */
  appliedUpTo(controllerId: string): number {
    return this.applied.get(controllerId) ?? 0;
  }

  /** The `applying` entry of a controller's stored mark. */
  applying(controllerId: string): IngestMark['applying'] {
    return this.opts.store.get('ingestMarks', controllerId)?.applying;
  }

  isStuck(controllerId: string): boolean {
    return this.stuck.has(controllerId);
  }

  stick(controllerId: string): void {
    this.stuck.add(controllerId);
  }

  /** Notes that a transaction is about to reach the domain (committed before the domain's own commit). */
  markApplying(controllerId: string, seq: number): void {
    this.save(controllerId, this.markOf(controllerId, this.appliedUpTo(controllerId), { seq, at: this.opts.now() }));
  }

  /** Notes an event as applied. Not awaited: the next event's domain commit is made after it, so never durable without it. */
  markApplied(controllerId: string, seq: number): void {
    this.applied.set(controllerId, seq);
    this.save(controllerId, this.markOf(controllerId, seq));
  }

  /** Resolves once every mark commit made so far is durable (or failed). */
  async idle(): Promise<void> {
    while (this.saving.size > 0) await Promise.all([...this.saving]);
  }

  /** Commits a controller's mark (one journal line, group-committed); a failure stops that controller here. */
  private save(controllerId: string, mark: IngestMark): void {
    const p = this.opts.store.commit({ put: [{ c: 'ingestMarks', key: controllerId, value: mark }] }).then(
      () => undefined,
      (err: unknown) => {
        this.stuck.add(controllerId);
        this.opts.log.error({ err, controllerId, seq: mark.appliedUpTo }, "ingest mark not saved; this controller's later events wait for a restart");
      },
    );
    this.saving.add(p);
    void p.finally(() => this.saving.delete(p));
  }

  private async retireFile(): Promise<void> {
    await rename(this.file, join(this.opts.stateDir, INGEST_FILE_MIGRATED));
  }

  private markOf(controllerId: string, appliedUpTo: number, applying?: IngestMark['applying']): IngestMark {
    return { controllerId, appliedUpTo, at: this.opts.now(), ...(applying ? { applying } : {}) };
  }

  private startedMark(): IngestMark {
    return this.markOf(INGEST_STARTED_KEY, 0);
  }
}
