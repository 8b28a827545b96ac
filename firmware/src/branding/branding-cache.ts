/**
 * The kiosk's branding, kept on the controller: the colours of the applied desired state, and the logo file it
 * references, fetched once, checked by its SHA-256 and kept in the data folder, so a kiosk shows its branding across
 * restarts and with the network down.
 *
 * - A new reference is fetched in the background; the logo held before stays in use until the new one is verified
 *   and on disk (a kiosk never shows a half-written or unverified file).
 * - A failed fetch (network, HTTP status, size, hash) is retried with jittered exponential backoff until it succeeds or
 *   the desired state names another logo; every failure is logged and emitted, never thrown.
 * - Files no reference names any more are deleted once the new state is on disk (a desired state without a logo
 *   drops the logo at once).
 * - Files: `<dir>/branding.json` (what is in use, written durably) and `<dir>/<sha256>.png|svg`, each written durably
 *   before the state file names it. At open, a held file whose bytes no longer match its hash is dropped.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { brandColoursSchema, LOGO_TYPES, sha256HexSchema, type BrandColours, type DesiredBranding, type LogoReference, type LogoType } from '@portier/protocol';
import { writeFileDurable } from '@portier/durable';
import { Backoff, type BackoffOptions } from '../link/backoff.ts';
import { DurableFile } from '../store/durable-file.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { fetchLogo, LogoFetchError, type FetchLike } from './logo-fetch.ts';

/** What the kiosk screen reads: the colours and the logo file on this controller. */
export interface KioskBranding {
  colours?: BrandColours;
  logo?: { path: string; sha256: string; type: LogoType; bytes: number };
}

const heldLogoSchema = z.strictObject({ sha256: sha256HexSchema, type: z.enum(LOGO_TYPES), bytes: z.number().int().min(1) });
const stateSchema = z.strictObject({ colours: brandColoursSchema.optional(), logo: heldLogoSchema.optional() });
type BrandingState = z.infer<typeof stateSchema>;

const STATE_FILE = 'branding.json';

export interface BrandingCacheOptions {
  /** The folder of the files (a `branding` folder in the controller's data folder). */
  dir: string;
  fetch?: FetchLike;
  /** Bound of one fetch (default 15 s). */
  timeoutMs?: number;
  /** Retry delays (default 5 s doubling to 10 min). */
  backoff?: BackoffOptions;
  logger?: Logger;
}

export interface BrandingCacheEvents {
  /** What the kiosk shows changed (colours, or a logo verified and stored, or dropped). */
  changed: [KioskBranding];
  /** A fetch failed; the next try is in `retryInMs`. */
  'fetch-failed': [{ sha256: string; code: string; message: string; retryInMs: number }];
}

function fileOf(dir: string, sha256: string, type: LogoType): string {
  return join(dir, `${sha256}.${type === 'image/png' ? 'png' : 'svg'}`);
}

export class BrandingCache extends EventEmitter<BrandingCacheEvents> {
  private state: BrandingState;
  private wanted: LogoReference | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: { sha256: string; abort: AbortController; done: Promise<void> } | undefined;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private stopped = false;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: BrandingCacheOptions,
    private readonly file: DurableFile<BrandingState>,
    state: BrandingState,
  ) {
    super();
    this.state = state;
    this.backoff = new Backoff({ minMs: 5000, maxMs: 600_000, ...opts.backoff });
    this.log = (opts.logger ?? silentLogger).child({ module: 'branding' });
  }

  /** Reads what was in use; a logo file missing or no longer matching its hash is forgotten. */
  static async open(opts: BrandingCacheOptions): Promise<BrandingCache> {
    const file = new DurableFile<BrandingState>(join(opts.dir, STATE_FILE), { schema: stateSchema, ...(opts.logger ? { logger: opts.logger } : {}) });
    const state = (await file.read()) ?? {};
    if (state.logo) {
      const bytes = await readFile(fileOf(opts.dir, state.logo.sha256, state.logo.type)).catch(() => undefined);
      if (!bytes || createHash('sha256').update(bytes).digest('hex') !== state.logo.sha256) {
        (opts.logger ?? silentLogger).warn({ sha256: state.logo.sha256 }, 'the kept logo file is missing or damaged: fetched again');
        delete state.logo;
      }
    }
    return new BrandingCache(opts, file, state);
  }

  /** The branding to show now (undefined: the built-in look). */
  current(): KioskBranding | undefined {
    const s = this.state;
    if (!s.colours && !s.logo) return undefined;
    return {
      ...(s.colours ? { colours: { ...s.colours } } : {}),
      ...(s.logo ? { logo: { path: fileOf(this.opts.dir, s.logo.sha256, s.logo.type), sha256: s.logo.sha256, type: s.logo.type, bytes: s.logo.bytes } } : {}),
    };
  }

  /** Takes the branding of a newly applied desired state (undefined: none). Never throws; fetches in the background. */
  apply(branding: DesiredBranding | undefined): void {
    if (this.stopped) return;
    const colours = branding?.colours;
    const logo = branding?.logo;
    const before = this.wanted?.sha256;
    this.wanted = logo && logo.sha256 !== this.state.logo?.sha256 ? logo : undefined;
    if (this.inFlight && this.inFlight.sha256 !== this.wanted?.sha256) this.inFlight.abort.abort();
    // Another file (or none) wanted: the retries of the one before end, a new file is tried at once.
    if (this.wanted?.sha256 !== before) this.cancelRetry();
    const next: BrandingState = { ...(colours ? { colours: { ...colours } } : {}), ...(logo && this.state.logo ? { logo: this.state.logo } : {}) };
    // Kept until the new file is verified: the held logo stays while another is wanted.
    if (!logo) delete next.logo;
    if (JSON.stringify(next) !== JSON.stringify(this.state)) void this.save(next);
    if (this.wanted && !this.inFlight && !this.timer) this.attempt();
  }

  /** Resolves once no fetch is running (tests, stop). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight.done;
    await this.saving;
    await this.file.flush();
  }

  /** Whether a retry is waiting (tests). */
  get retrying(): boolean {
    return this.timer !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry();
    this.inFlight?.abort.abort();
    await this.settled();
  }

  private cancelRetry(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.backoff.reset();
  }

  private attempt(): void {
    const ref = this.wanted;
    if (!ref || this.stopped) return;
    const abort = new AbortController();
    const done = this.fetchAndKeep(ref, abort.signal).finally(() => {
      if (this.inFlight?.done === done) this.inFlight = undefined;
      // Another logo became wanted while this one was on its way: fetch that one now.
      if (this.wanted && this.wanted.sha256 !== this.state.logo?.sha256 && !this.timer && !this.stopped) this.attempt();
    });
    this.inFlight = { sha256: ref.sha256, abort, done };
  }

  private async fetchAndKeep(ref: LogoReference, signal: AbortSignal): Promise<void> {
    let data: Buffer;
    try {
      data = await fetchLogo(ref, { fetch: this.opts.fetch ?? fetch, timeoutMs: this.opts.timeoutMs ?? 15_000, signal });
    } catch (err) {
      if (signal.aborted && this.wanted?.sha256 !== ref.sha256) return;
      this.retryLater(ref, err);
      return;
    }
    if (this.wanted?.sha256 !== ref.sha256) return;
    try {
      await writeFileDurable(fileOf(this.opts.dir, ref.sha256, ref.type), data, 0o644);
    } catch (err) {
      this.retryLater(ref, err);
      return;
    }
    if (this.wanted?.sha256 !== ref.sha256) return;
    this.wanted = undefined;
    this.backoff.reset();
    this.log.info({ sha256: ref.sha256, bytes: ref.bytes }, 'logo fetched and verified');
    await this.save({ ...this.state, logo: { sha256: ref.sha256, type: ref.type, bytes: ref.bytes } });
  }

  private retryLater(ref: LogoReference, err: unknown): void {
    if (this.stopped) return;
    const retryInMs = this.backoff.next();
    const code = err instanceof LogoFetchError ? err.code : 'LOGO_STORE';
    const message = (err as Error).message;
    this.log.warn({ sha256: ref.sha256, code, err: message, retryInMs }, 'logo not fetched; trying again later');
    this.emit('fetch-failed', { sha256: ref.sha256, code, message, retryInMs });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, retryInMs);
    this.timer.unref?.();
  }

  /** Takes the state, tells the kiosk, then writes it and deletes the files it no longer names (one save at a time). */
  private save(next: BrandingState): Promise<void> {
    this.state = next;
    this.emit('changed', this.current() ?? {});
    const run = this.saving.then(async () => {
      try {
        await this.file.write(this.state);
        await this.dropUnused();
      } catch (err) {
        this.log.error({ err }, 'branding state not saved');
      }
    });
    this.saving = run;
    return run;
  }

  private async dropUnused(): Promise<void> {
    const keep = new Set([STATE_FILE]);
    // The held file, and one being fetched (it may be renamed into place before the state names it).
    for (const l of [this.state.logo, this.wanted]) if (l) keep.add(`${l.sha256}.${l.type === 'image/png' ? 'png' : 'svg'}`);
    const names = await readdir(this.opts.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (keep.has(name) || !/^[0-9a-f]{64}\.(png|svg)$/.test(name)) continue;
      await rm(join(this.opts.dir, name), { force: true });
    }
  }
}
