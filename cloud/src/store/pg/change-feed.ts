/**
 * The change feed of the PostgreSQL store: what other instances committed, read from the `changes` table in seq order
 * (seqs are taken under the commit lock, so a seq seen means every lower one is committed or was never used). A
 * LISTEN on `portier_changes` wakes the reader at once; a slow poll covers a dropped connection. An instance that fell
 * behind the pruned part of the feed is told to reload everything.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { RowDel, RowPut } from './live-view.ts';

export const FEED_CHANNEL = 'portier_changes';
/** The name a cloud instance's connections carry (pg_stat_activity.application_name): what tells a running cloud. */
export const CLOUD_APPLICATION_NAME = 'portier-cloud';
const PAGE = 1000;

export interface FeedEntry {
  seq: number;
  put: RowPut[];
  del: RowDel[];
  guards: string[];
}

interface FeedBody {
  put: RowPut[] | null;
  del: RowDel[] | null;
  g: [string, unknown][] | null;
}

export interface ChangeFeedOptions {
  pool: pg.Pool;
  url: string;
  instanceId: string;
  logger: Logger;
  pollMs: number;
  /** The seq up to which the view is current. */
  seen(): number;
  /** Applies entries of other instances, in order; called with none to advance past this instance's own. */
  apply(entries: FeedEntry[], upTo: number): void;
  /** The feed no longer holds what the view needs: load everything again. */
  reload(): Promise<void>;
}

export class ChangeFeed {
  private listener: pg.Client | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  private stopped = false;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(private readonly o: ChangeFeedOptions) {}

  async start(): Promise<void> {
    await this.listen();
    this.poll = setInterval(() => void this.catchUp().catch(() => undefined), this.o.pollMs);
    this.poll.unref();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.o.url, application_name: CLOUD_APPLICATION_NAME });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (m) => {
      if (m.payload !== this.o.instanceId) void this.catchUp().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    // Stopped while connecting (a store closed while the database was away): nobody would close this one.
    if (this.stopped) return void (await client.end().catch(() => undefined));
    this.listener = client;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.listener !== client || this.stopped) return;
    this.listener = undefined;
    this.o.logger.warn({ err }, 'the store lost its change notifications; reconnecting');
    client.end().catch(() => undefined);
    const retry = (): void => {
      this.reconnect = setTimeout(() => {
        if (this.stopped) return;
        this.listen().then(
          () => void this.catchUp().catch(() => undefined),
          () => retry(),
        );
      }, 1000);
      this.reconnect.unref();
    };
    retry();
  }

  /** Resolves once every change committed before the call is applied (one reader at a time; a call while one runs waits for another pass). */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await this.readAll();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    };
    this.running = run();
    return this.running;
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const from = this.o.seen();
      const rows = await this.o.pool.query<{ seq: string; instance: string; body: FeedBody }>(
        'SELECT seq, instance, body FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2',
        [from, PAGE],
      );
      if (rows.rows.length === 0) return;
      if (Number(rows.rows[0]!.seq) > from + 1) {
        // A hole: seqs never used (a failed transaction), or entries pruned before this view read them. A view at 0
        // (loaded from an empty feed, or one that never read past its own commits) misses pruned entries the same way.
        const min = await this.o.pool.query<{ min: string | null }>('SELECT min(seq) AS min FROM changes');
        if (Number(min.rows[0]?.min ?? 0) > from + 1) {
          this.o.logger.warn({ seen: from }, 'the change feed was pruned past this instance; reloading the live state');
          await this.o.reload();
          return;
        }
      }
      const entries: FeedEntry[] = [];
      for (const r of rows.rows) {
        if (r.instance === this.o.instanceId) continue;
        entries.push({ seq: Number(r.seq), put: r.body.put ?? [], del: r.body.del ?? [], guards: (r.body.g ?? []).map((g) => g[0]) });
      }
      this.o.apply(entries, Number(rows.rows.at(-1)!.seq));
      if (rows.rows.length < PAGE) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.reconnect) clearTimeout(this.reconnect);
    await this.running?.catch(() => undefined);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => undefined);
  }
}
