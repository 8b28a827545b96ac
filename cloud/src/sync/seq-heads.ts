/**
 * What an events journal keeps in memory per controller, and its one rule for what may be appended: the highest seq
 * stored, the highest handed to `append` (stored or being stored), and the fingerprints of its most recent seqs. The
 * data folder's journal (event-journal.ts) and the PostgreSQL one (pg-event-journal.ts) both keep it.
 */
import type { ConflictRecord, GapRecord, StoredEvent } from './event-log.ts';

/** Fingerprints kept per controller: of its most recent seqs, the ones a controller may still send again. */
export const FINGERPRINTS_KEPT = 64;

/**
 * What is wrong with a journal line that comes after `prev`, the controller's highest stored seq (undefined: nothing):
 * an event must be the next seq, a gap must start there, a conflict must be about a seq already stored.
 */
export function outOfOrder(prev: number, rec: StoredEvent | GapRecord | ConflictRecord): string | undefined {
  if ('fromSeq' in rec) return rec.fromSeq !== prev + 1 || rec.toSeq < rec.fromSeq ? `gap ${rec.fromSeq}..${rec.toSeq} follows ${prev}` : undefined;
  if ('kind' in rec) return rec.seq > prev ? `conflict at seq ${rec.seq} beyond ${prev}` : undefined;
  return rec.seq !== prev + 1 ? `seq ${rec.seq} follows ${prev}` : undefined;
}

export class SeqHeads {
  private readonly upTo = new Map<string, number>();
  private readonly appended = new Map<string, number>();
  private readonly prints = new Map<string, Map<number, string>>();

  storedUpTo(controllerId: string): number {
    return this.upTo.get(controllerId) ?? 0;
  }

  appendedUpTo(controllerId: string): number {
    return this.appended.get(controllerId) ?? 0;
  }

  fingerprintAt(controllerId: string, seq: number): string | undefined {
    return this.prints.get(controllerId)?.get(seq);
  }

  /** Recent fingerprints of a controller, oldest first. */
  recent(controllerId: string): Array<[number, string]> {
    return [...(this.prints.get(controllerId) ?? [])];
  }

  /** Seq stored durably (a lower one changes nothing). */
  stored(controllerId: string, seq: number): void {
    if (seq > this.storedUpTo(controllerId)) this.upTo.set(controllerId, seq);
  }

  /** Both heads at `seq`, what is known stored (a journal read back, or refreshed). */
  setHeads(controllerId: string, stored: number, appended = stored): void {
    this.upTo.set(controllerId, stored);
    this.appended.set(controllerId, appended);
  }

  remember(controllerId: string, seq: number, print: string): void {
    let m = this.prints.get(controllerId);
    if (!m) this.prints.set(controllerId, (m = new Map()));
    const known = m.has(seq);
    m.set(seq, print);
    if (!known && m.size > FINGERPRINTS_KEPT) m.delete(m.keys().next().value as number);
  }

  /** The fingerprints of a controller replaced, oldest first, the most recent FINGERPRINTS_KEPT kept. */
  replaceRecent(controllerId: string, prints: ReadonlyArray<[number, string]>): void {
    this.prints.set(controllerId, new Map(prints.slice(-FINGERPRINTS_KEPT)));
  }

  /** The controller counts from what is stored again: what was being appended is forgotten. */
  backToStored(controllerId: string): void {
    const stored = this.storedUpTo(controllerId);
    this.appended.set(controllerId, stored);
    const m = this.prints.get(controllerId);
    if (m) for (const seq of [...m.keys()]) if (seq > stored) m.delete(seq);
  }

  /**
   * Takes records to append when each is the next seq of its controller (all of them, or none: the refusal says why);
   * the appended heads move on.
   */
  admitEvents(records: readonly StoredEvent[]): string | undefined {
    const next = new Map<string, number>();
    for (const r of records) {
      const bad = outOfOrder(next.get(r.controllerId) ?? this.appendedUpTo(r.controllerId), r);
      if (bad) return `${r.controllerId}: ${bad}`;
      next.set(r.controllerId, r.seq);
    }
    for (const [c, s] of next) this.appended.set(c, s);
    return undefined;
  }

  /** A gap must start at the controller's next seq. */
  admitGap(gap: Omit<GapRecord, 'kind'>): string | undefined {
    const bad = outOfOrder(this.appendedUpTo(gap.controllerId), { kind: 'gap', ...gap });
    if (bad) return `${gap.controllerId}: ${bad}`;
    this.appended.set(gap.controllerId, gap.toSeq);
    return undefined;
  }

  /** A conflict sits beside a seq already taken. */
  admitConflict(e: StoredEvent): string | undefined {
    const bad = outOfOrder(this.appendedUpTo(e.controllerId), { kind: 'conflict', ...e });
    return bad ? `${e.controllerId}: ${bad}` : undefined;
  }
}
