/**
 * Moves a data folder's controller sync state into PostgreSQL with its store (`portier-cloud migrate-store`, import.ts),
 * in the store's transaction, into the tables of migrations/0003_link.sql:
 * - the events journal (`sync/events/events.jsonl`): events, gap and conflict records, each table in file order (its
 *   `n`); lines framed with a checksum, or plain JSON lines as releases before the framing wrote them. The file is
 *   read line by line (it may be large), each line checked as the journal checks it at open (a damaged line or one out
 *   of order refuses the move: ImportError CORRUPT). A torn last line (a power cut mid-write) was never acknowledged
 *   and is left out, as the journal leaves it out at open.
 * - the last desired state signed per controller (`sync/desired/`).
 * Afterwards (checkLink) the counts are compared, each controller's highest stored seq and last event as the
 * PostgreSQL journal loads them, the last events stored, and every desired state as the PostgreSQL store loads it.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SentDesired } from '../../sync/desired-store.ts';
import { fingerprint, outOfOrder, parseJournalLine, type GapRecord, type StoredEvent } from '../../sync/event-journal.ts';
import { PgDesiredStore } from '../../sync/pg-desired-store.ts';
import { PgEventJournal } from '../../sync/pg-event-journal.ts';
import { EVENT_INSERT, EVENT_ROWS, EVENT_SELECT, eventColumns, GAP_INSERT, GAP_ROWS, gapColumns, toEvent, type EventRow, type Queryable } from '../../sync/pg-link-rows.ts';
import { ImportError, mismatch, plain } from './import-error.ts';

/** The data folder's sync state to move. */
export interface LinkSource {
  /** The events journal file; absent: no journal. */
  journalFile?: string;
  /** The last desired state of each controller. */
  desired?: readonly SentDesired[];
}

export interface LinkReport {
  events: number;
  gaps: number;
  conflicts: number;
  /** Controllers with anything in the journal. */
  controllers: number;
  desired: number;
}

/** What the check compares, gathered while moving. */
export interface LinkExpectation {
  report: LinkReport;
  /** Per controller: its highest stored seq (events and gaps), and its last event's seq and fingerprint. */
  controllers: Map<string, { upTo: number; lastSeq: number; last: string | undefined }>;
  /** The journal's last events, in order. */
  tail: StoredEvent[];
  desired: readonly SentDesired[];
}

/** How many of the journal's last events the check compares; controllers refreshed per query. */
const CHECK_ROWS = 100;
const REFRESH_CHUNK = 1000;
/** A statement of desired states is sent once its JSON reaches this size (a big bank's state is large). */
const DESIRED_BYTES = 8 * 1024 * 1024;

/** What the link tables already hold, as the refusal of a non-empty database names it. */
export async function linkHeld(client: pg.ClientBase): Promise<string[]> {
  const r = await client.query<{ events: string; gaps: string; conflicts: string; desired: string }>(
    `SELECT (SELECT count(*) FROM link_events) AS events, (SELECT count(*) FROM link_gaps) AS gaps,
            (SELECT count(*) FROM link_conflicts) AS conflicts, (SELECT count(*) FROM desired_versions) AS desired`,
  );
  const row = r.rows[0]!;
  const events = Number(row.events) + Number(row.gaps) + Number(row.conflicts);
  return [events > 0 ? `${events} controller event records` : '', Number(row.desired) > 0 ? `${row.desired} desired states` : ''].filter((s) => s !== '');
}

async function endsWithNewline(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await fh.close();
  }
}

/** The journal's whole lines with their numbers; nothing if there is no file. */
async function* journalLines(file: string): AsyncGenerator<{ line: string; no: number }> {
  let whole: boolean;
  try {
    whole = await endsWithNewline(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let held: string | undefined;
  let no = 0;
  for await (const line of lines) {
    if (held !== undefined) yield { line: held, no };
    held = line;
    no++;
  }
  if (held !== undefined && whole) yield { line: held, no };
}

/** Moves the journal and the desired states; answers what the check compares. */
export async function importLink(client: pg.ClientBase, source: LinkSource, batchRows: number, log: Logger): Promise<LinkExpectation> {
  const controllers: LinkExpectation['controllers'] = new Map();
  const report: LinkReport = { events: 0, gaps: 0, conflicts: 0, controllers: 0, desired: 0 };
  let tail: StoredEvent[] = [];
  const events: { e: StoredEvent; print: string }[] = [];
  const conflicts: { e: StoredEvent; print: string }[] = [];
  const gaps: GapRecord[] = [];
  const flush = async (): Promise<void> => {
    if (events.length > 0) await client.query(`${EVENT_INSERT('link_events')} ${EVENT_ROWS(1)}`, eventColumns(events.splice(0)));
    if (gaps.length > 0) await client.query(`${GAP_INSERT} ${GAP_ROWS(1)}`, gapColumns(gaps.splice(0)));
    if (conflicts.length > 0) await client.query(`${EVENT_INSERT('link_conflicts')} ${EVENT_ROWS(1)}`, eventColumns(conflicts.splice(0)));
  };
  const file = source.journalFile;
  if (file !== undefined) {
    for await (const { line, no } of journalLines(file)) {
      if (line === '') continue;
      let rec;
      try {
        rec = parseJournalLine(line);
      } catch (err) {
        throw new ImportError('CORRUPT', `${file}:${no}: ${(err as Error).message.slice(0, 200)}: nothing was moved`);
      }
      const known = controllers.get(rec.controllerId) ?? { upTo: 0, lastSeq: 0, last: undefined };
      const bad = outOfOrder(known.upTo, rec);
      if (bad) throw new ImportError('CORRUPT', `${file}:${no}: ${rec.controllerId} ${bad}: nothing was moved`);
      controllers.set(rec.controllerId, known);
      if (!('kind' in rec)) {
        const print = fingerprint(rec);
        events.push({ e: rec, print });
        Object.assign(known, { upTo: rec.seq, lastSeq: rec.seq, last: print });
        tail.push(rec);
        if (tail.length > 2 * CHECK_ROWS) tail = tail.slice(-CHECK_ROWS);
        report.events++;
      } else if (rec.kind === 'gap') {
        gaps.push(rec);
        known.upTo = rec.toSeq;
        report.gaps++;
      } else {
        conflicts.push({ e: rec, print: fingerprint(rec) });
        report.conflicts++;
      }
      if (events.length + gaps.length + conflicts.length >= batchRows) await flush();
      if (no % 100_000 === 0) log.info({ lines: no }, 'moving the controller events journal');
    }
    await flush();
  }
  report.controllers = controllers.size;
  const desired = source.desired ?? [];
  for (let i = 0; i < desired.length; ) {
    const batch: SentDesired[] = [];
    let bytes = 0;
    const texts: string[] = [];
    while (i < desired.length && batch.length < batchRows && bytes < DESIRED_BYTES) {
      const text = JSON.stringify(desired[i]!.message);
      bytes += text.length;
      texts.push(text);
      batch.push(desired[i++]!);
    }
    await client.query(`INSERT INTO desired_versions (controller_id, bank_id, version, message, hash) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[], $5::text[])`, [
      batch.map((d) => d.message.controllerId),
      batch.map((d) => d.message.bankId),
      batch.map((d) => d.message.version),
      texts,
      batch.map((d) => d.hash),
    ]);
  }
  report.desired = desired.length;
  return { report, controllers, tail: tail.slice(-CHECK_ROWS), desired };
}

/** Compares the moved journal and desired states, through the classes that read them, with what was moved. */
export async function checkLink(db: Queryable, expected: LinkExpectation): Promise<void> {
  const { report } = expected;
  const counts = (
    await db.query<{ events: string; gaps: string; conflicts: string; desired: string }>(
      `SELECT (SELECT count(*) FROM link_events) AS events, (SELECT count(*) FROM link_gaps) AS gaps,
              (SELECT count(*) FROM link_conflicts) AS conflicts, (SELECT count(*) FROM desired_versions) AS desired`,
    )
  ).rows[0]!;
  for (const k of ['events', 'gaps', 'conflicts', 'desired'] as const) {
    if (Number(counts[k]) !== report[k]) throw mismatch(`controller ${k}: ${counts[k]} in the database, ${report[k]} moved`);
  }
  const journal = await PgEventJournal.open(db);
  const ids = [...expected.controllers.keys()];
  for (let i = 0; i < ids.length; i += REFRESH_CHUNK) {
    const chunk = ids.slice(i, i + REFRESH_CHUNK);
    await journal.refresh(chunk);
    for (const id of chunk) {
      const want = expected.controllers.get(id)!;
      if (journal.storedUpTo(id) !== want.upTo) throw mismatch(`controller ${id}: events stored up to ${journal.storedUpTo(id)} in the database, ${want.upTo} moved`);
      if (journal.fingerprintAt(id, want.lastSeq) !== want.last) throw mismatch(`controller ${id}: its last event differs`);
    }
  }
  await journal.close();
  const last = await db.query<EventRow>(`${EVENT_SELECT} FROM link_events ORDER BY n DESC LIMIT ${CHECK_ROWS}`);
  if (!isDeepStrictEqual(last.rows.map(toEvent).reverse(), plain(expected.tail))) throw mismatch('the latest controller events differ');
  const desired = await PgDesiredStore.open(db);
  for (const sent of expected.desired) {
    if (!isDeepStrictEqual(desired.get(sent.message.controllerId), plain(sent))) throw mismatch(`the desired state of ${sent.message.controllerId} differs`);
  }
}
