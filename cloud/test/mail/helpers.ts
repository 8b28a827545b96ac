// Shared parts of the mail tests: an outbox on a memory store sending to a real SMTP peer, and a wait on real time
// (bounded) for what the sender does over the network while the test's clock is fake.
import { pino } from 'pino';
import { validateConfig } from '../../src/config/config.ts';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { smtpMailer } from '../../src/mail/mailer.ts';
import { MailOutbox, type RetryPolicy } from '../../src/mail/outbox.ts';
import type { Store } from '../../src/store/store.ts';
import type { Timers } from '../../src/sftp/runner.ts';
import { peerMailConfig, type SmtpPeer } from './smtp-peer.ts';

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
