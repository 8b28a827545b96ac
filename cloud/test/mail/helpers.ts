// Shared parts of the mail tests: an outbox on a memory store sending to a real SMTP peer, and a wait on real time
// (bounded) for what the sender does over the network while the test's clock is fake.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import sinon from 'sinon';
import { validateConfig } from '../../src/config/config.ts';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { smtpMailer } from '../../src/mail/mailer.ts';
import { MailOutbox, type RetryPolicy } from '../../src/mail/outbox.ts';
import { createMail, type MailSystem } from '../../src/mail/start.ts';
import { LockerService } from '../../src/domain/service.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import type { Timers } from '../../src/sftp/runner.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { seedKioskBank } from '../fixtures/site.ts';
import { TEST_HASH } from '../mqtt/helpers/env.ts';
import { testCloudConfig } from '../runtime/helpers.ts';
import { peerMailConfig, startSmtpPeer, type SmtpPeer } from './smtp-peer.ts';

const realSetTimeout = globalThis.setTimeout;

/**
 * Resolves once `cond` holds, looking every 5 ms of real time; rejects after `withinMs`. `step` runs before each look
 * (e.g. a fake clock's `tickAsync(1)`: a timer of 0 ms set while the clock ticks is due 1 ms later).
 */
export async function eventually(cond: () => boolean, what: string, withinMs = 10_000, step?: () => Promise<unknown>): Promise<void> {
  const end = performance.now() + withinMs;
  for (;;) {
    await step?.();
    if (cond()) return;
    if (performance.now() > end) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => realSetTimeout(r, 5));
  }
}

/** The timers of a sinon clock (installed for `Date` only: the SMTP libraries keep real timers). */
export function clockTimers(clock: { now: number; setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: never): void }): Timers {
  return { now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) };
}

export function peerOutbox(store: Store, peer: Pick<SmtpPeer, 'host' | 'port'>, retry: RetryPolicy, timers: Timers, vault = CodeVault.ephemeral()): { outbox: MailOutbox; vault: CodeVault } {
  const cfg = validateConfig({ mail: peerMailConfig(peer) });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.problems));
  const outbox = new MailOutbox({
    store,
    vault,
    mailer: smtpMailer(cfg.config.mail!),
    logger: pino({ level: 'silent' }),
    instanceId: 'test-instance',
    retry,
    timers,
    retentionMs: 30 * 86_400_000,
  });
  return { outbox, vault };
}

export interface MailedCloud {
  rt: CloudRuntime;
  peer: SmtpPeer;
  /** The data folder. */
  dir: string;
  /** Everything logged so far (level debug). */
  logs(): string;
}

/**
 * A whole running cloud (embedded broker, data folder under a temp dir) whose `mail` section sends to a real SMTP peer
 * that asks for `smtp`'s password, read from a file beside the folder; links on `publicBaseUrl`; `admin` made at start.
 */
export async function startMailedCloud(
  t: { teardown(fn: () => unknown): void },
  o: { smtp: { user: string; pass: string }; admin: { user: string; password: string }; publicBaseUrl: string },
): Promise<MailedCloud> {
  const peer = await startSmtpPeer('accept', o.smtp);
  t.teardown(() => peer.close());
  const dir = await mkdtemp(join(tmpdir(), 'portier-mail-'));
  const pwFile = `${dir}.smtp-password`;
  await writeFile(pwFile, `${o.smtp.pass}\n`);
  t.teardown(() => Promise.all([dir, `${dir}.secrets.key`, pwFile].map((p) => rm(p, { recursive: true, force: true }))));
  let logs = '';
  const sink = new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) });
  const rt = await startCloud({
    config: {
      ...testCloudConfig(dir),
      http: { host: '127.0.0.1', port: 0, publicBaseUrl: o.publicBaseUrl },
      admin: o.admin,
      log: { level: 'debug' },
      mail: peerMailConfig(peer, { user: o.smtp.user, passwordFile: pwFile }),
    },
    logger: pino({ level: 'debug' }, sink),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
  });
  t.teardown(() => rt.stop());
  return { rt, peer, dir, logs: () => logs };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/**
 * Where each of `secrets` stands in clear: in a file under `dir` or in `logs`, as a whole word (a short code is not
 * found inside a longer run of letters and digits). Empty when none is.
 */
export async function secretsInClear(dir: string, logs: string, secrets: readonly string[]): Promise<string[]> {
  const files = await filesUnder(dir);
  const texts = await Promise.all(files.map((f) => readFile(f, 'latin1')));
  const found: string[] = [];
  for (const secret of secrets) {
    const bounded = new RegExp(`(^|[^0-9A-Za-z_-])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^0-9A-Za-z_-])`);
    texts.forEach((text, i) => {
      if (bounded.test(text)) found.push(`${files[i]} holds a ${secret.length}-character secret`);
    });
    if (bounded.test(logs)) found.push(`the logs hold a ${secret.length}-character secret`);
  }
  return found;
}

export interface MailedService {
  peer: SmtpPeer;
  clock: sinon.SinonFakeTimers;
  store: MemoryStore;
  service: LockerService;
  mail: MailSystem;
  /** The administrator who seeded the site. */
  actor: { role: 'admin'; id: string };
}

/**
 * The domain on a memory store under a fake clock (Date only: the SMTP libraries keep real timers) starting at `now`,
 * the site of seedKioskBank (enterprise `ent`, bank `bank`, kiosk column `col1`, no lockers yet), its mail system
 * sending to a real SMTP peer and sweeping every `sweepMs`; `seed` runs before the mail system starts. Stopped at
 * teardown.
 */
export async function mailedService(t: { teardown(fn: () => unknown): void }, o: { now: number; sweepMs: number; seed?: (s: LockerService) => Promise<unknown> }): Promise<MailedService> {
  const peer = await startSmtpPeer();
  t.teardown(() => peer.close());
  const clock = sinon.useFakeTimers({ now: o.now, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const vault = CodeVault.ephemeral();
  const store = new MemoryStore();
  const service = new LockerService({ store, clock: () => clock.now, codeHashN: 1024, vault, logger: pino({ level: 'silent' }) });
  const actor = { role: 'admin' as const, id: 'seed' };
  await seedKioskBank(service, actor, 'col1');
  await o.seed?.(service);
  const cfg = validateConfig({ mail: peerMailConfig(peer), expiry: { intervalSeconds: o.sweepMs / 1000 } });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.problems));
  const mail = createMail({ config: cfg.config, service, vault, logger: pino({ level: 'silent' }), now: () => clock.now, ingest: new EventEmitter(), timers: clockTimers(clock) });
  t.teardown(() => mail.stop());
  await mail.start('https://lockers.example.com');
  return { peer, clock, store, service, mail, actor };
}
