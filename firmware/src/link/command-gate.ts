import type { KeyObject } from 'node:crypto';
import { idSchema, parsePayload, verifyMessage, type AckReason, type Command } from '@portier/protocol';
import type { SeenCheck } from './command-store.ts';

/**
 * What the controller knows when it judges a command: its identity, the cloud's key, and read-only looks at its
 * replay memory and its estimate of cloud time. The gate changes nothing.
 */
export interface GateContext {
  key: KeyObject;
  bankId: string;
  controllerId: string;
  /** Whether the id was seen before (or lies below the replay floor). */
  seen(id: string, issuedAt: number): SeenCheck;
  /** Whether a command with this id is running here now. */
  running(id: string): boolean;
  /** Cloud time as estimated for a command issued at `issuedAt` (CloudClock.nowFor). */
  cloudNowFor(issuedAt: number): number;
}

/** The gate's verdict on one `cmd` payload. */
export type GateVerdict =
  /** Not a command: dropped; `answer` when the envelope at least names an id to answer `rejected`. */
  | { kind: 'drop'; code: string; message: string; answer?: { commandId: string; reason: AckReason; detail: string } }
  /** Answered `rejected` and not run. `remember`: the id is remembered all the same (it was signed and ours). */
  | { kind: 'reject'; command: Command; reason: AckReason; detail?: string; remember?: true }
  /** A QoS 1 redelivery of a command running here: its outcome ack is on the way, nothing to say. */
  | { kind: 'duplicate'; command: Command }
  /** Run it; `cloudNow` is the cloud time it was judged by. */
  | { kind: 'accept'; command: Command; cloudNow: number };

/**
 * The checks a command passes before it may run (DESIGN.md "MQTT contract"), in this order: it parses, its
 * signature verifies against the cloud key, it is addressed to this controller, its id is new, and it has not
 * expired by the controller's estimate of cloud time. The first that fails is the reject reason.
 */
export function judgeCommand(payload: Buffer, ctx: GateContext): GateVerdict {
  const r = parsePayload('cmd', payload);
  if (!r.ok) {
    // The id comes from what parsePayload decoded: a payload refused for its size or encoding is never read.
    const id = malformedCommandId(r.decoded);
    // A missing or mangled `sig` is a signature failure, whatever else is right about the envelope.
    const answer = id ? { commandId: id, reason: r.field === 'sig' ? ('bad_signature' as const) : ('malformed' as const), detail: r.message } : undefined;
    return { kind: 'drop', code: r.code, message: r.message, ...(answer ? { answer } : {}) };
  }
  const cmd = r.value;
  // Unsigned ids are not remembered: anyone could otherwise burn the ids of future commands.
  if (!verifyMessage(cmd, ctx.key)) return { kind: 'reject', command: cmd, reason: 'bad_signature' };
  if (cmd.bankId !== ctx.bankId || cmd.controllerId !== ctx.controllerId) {
    return { kind: 'reject', command: cmd, reason: 'wrong_target', detail: `addressed to ${cmd.bankId}/${cmd.controllerId}` };
  }
  const seen = ctx.seen(cmd.id, cmd.issuedAt);
  if (seen !== 'new') {
    if (ctx.running(cmd.id)) return { kind: 'duplicate', command: cmd };
    return { kind: 'reject', command: cmd, reason: 'replayed', ...(seen === 'below-floor' ? { detail: 'issued before the replay floor' } : {}) };
  }
  // Judged before learning from it: a stale command (queued through an outage) must not teach us that it is fresh.
  const now = ctx.cloudNowFor(cmd.issuedAt);
  if (cmd.expiresAt <= now) {
    return { kind: 'reject', command: cmd, reason: 'expired', detail: `expired ${now - cmd.expiresAt} ms ago by cloud-time estimate`, remember: true };
  }
  return { kind: 'accept', command: cmd, cloudNow: now };
}

/** The id of a command that failed its schema, when its decoded JSON at least carries a valid-looking id. */
function malformedCommandId(decoded: unknown): string | undefined {
  if (decoded && typeof decoded === 'object' && 'id' in decoded) {
    const id = idSchema.safeParse((decoded as { id: unknown }).id);
    if (id.success) return id.data;
  }
  return undefined;
}
