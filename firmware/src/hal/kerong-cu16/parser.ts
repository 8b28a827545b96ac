import { EventEmitter } from 'node:events';
import { HalError } from '../errors.ts';
import { ETX, MAX_ADDR, STX, checksum, frameLength, hex, type Cu16Frame, type FrameSource } from './frame.ts';

export interface Cu16ParserEventMap {
  /** A complete frame with a good checksum. */
  frame: [Cu16Frame];
  /** A typed, non-fatal parse problem: `GARBAGE`, `BAD_FRAME` or `BAD_CHECKSUM`. */
  error: [HalError];
}

/** What one `push` produced, in order. */
export type Cu16ParseEvent = { frame: Cu16Frame } | { error: HalError };

/**
 * Streaming KR-CU16 frame parser.
 *
 * A serial `data` event is not a message (STYLE.md pitfalls): frames arrive split across reads,
 * several per read, with line noise between them. The parser buffers bytes and cuts frames by
 * the fixed length of their command. Whatever it cannot use becomes a typed error, and it
 * resynchronises on the byte after a false start, because STX (0x02) can also appear as an ADDR
 * or DATA byte and a bad length guess must not swallow the real frame that follows.
 *
 * - bytes before an STX: one `GARBAGE` error per run (not reported again for the leftover bytes
 *   of a frame already reported bad);
 * - STX with an unknown command, an ADDR above 0x9F, no ETX where the command says it ends, or
 *   a frame still incomplete while a complete valid frame already follows it (a short or
 *   truncated frame): `BAD_FRAME`;
 * - a frame with a wrong SUM: `BAD_CHECKSUM`.
 *
 * `push` never throws; `error` events are only emitted when someone listens (an EventEmitter
 * throws an unheard `error`), and every event is also returned from `push`.
 *
 * `from` says whose frames the stream carries (the controller reads the boards': `board`; a board reads the
 * host's: `host`), because the unlock command 0x31 is one byte longer in a board's acknowledgement.
 */
export class Cu16Parser extends EventEmitter<Cu16ParserEventMap> {
  private buf: Buffer = Buffer.alloc(0);
  /** The bytes up to the next STX are the rest of a frame already reported as bad. */
  private resyncing = false;
  private readonly from: FrameSource;

  constructor(opts: { from?: FrameSource } = {}) {
    super();
    this.from = opts.from ?? 'any';
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  /** Drops buffered bytes (a reply timed out: what is left of it is stale). */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.resyncing = false;
  }

  /** Feeds received bytes; emits and returns the frames and errors found. */
  push(chunk: Uint8Array): Cu16ParseEvent[] {
    const out: Cu16ParseEvent[] = [];
    try {
      this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
      this.scan(out);
    } catch (err) {
      // Defensive: a bug here must not take the controller down from inside a data handler.
      this.reset();
      out.push({ error: new HalError('BAD_FRAME', `parser failure: ${(err as Error).message}`) });
    }
    for (const ev of out) {
      if ('frame' in ev) this.emit('frame', ev.frame);
      else if (this.listenerCount('error') > 0) this.emit('error', ev.error);
    }
    return out;
  }

  private scan(out: Cu16ParseEvent[]): void {
    for (;;) {
      if (this.buf.length === 0) return;
      if (this.buf[0] !== STX) {
        const at = this.buf.indexOf(STX);
        const skipped = at === -1 ? this.buf : this.buf.subarray(0, at);
        if (!this.resyncing) {
          out.push({ error: new HalError('GARBAGE', `${skipped.length} byte(s) outside a frame: ${hex(skipped.subarray(0, 16))}`, { bytes: skipped.length }) });
        }
        this.resyncing = false;
        this.buf = at === -1 ? Buffer.alloc(0) : this.buf.subarray(at);
        continue;
      }
      if (this.buf.length < 2) return;
      const addr = this.buf[1] as number;
      if (addr > MAX_ADDR) {
        this.fail(out, 'BAD_FRAME', `ADDR 0x${addr.toString(16)} above 0x${MAX_ADDR.toString(16)}`);
        continue;
      }
      if (this.buf.length < 3) return;
      const cmd = this.buf[2] as number;
      const len = frameLength(cmd, this.from);
      if (len === undefined) {
        this.fail(out, 'BAD_FRAME', `unknown command 0x${cmd.toString(16)}`);
        continue;
      }
      // A frame cut short shows as another STX or an ETX before its end: if an ETX sits where the
      // command says, check the sum; otherwise the frame is short or corrupt.
      if (this.buf.length < len) {
        // Waiting for the rest. But if a complete, valid frame already sits after a later STX,
        // this start was false (a corrupted byte turned into STX or a long CMD): drop it now
        // rather than hold the real reply back until more bytes come.
        if (this.validFrameAfterStart()) {
          this.fail(out, 'BAD_FRAME', `frame cut short by the next frame: ${hex(this.buf.subarray(0, 16))}`);
          continue;
        }
        return;
      }
      if (this.buf[len - 2] !== ETX) {
        this.fail(out, 'BAD_FRAME', `no ETX at byte ${len - 2} of ${hex(this.buf.subarray(0, len))}`);
        continue;
      }
      const frameBytes = this.buf.subarray(0, len);
      const sum = checksum(frameBytes.subarray(0, len - 1));
      if (sum !== frameBytes[len - 1]) {
        this.fail(out, 'BAD_CHECKSUM', `checksum 0x${(frameBytes[len - 1] as number).toString(16)} != 0x${sum.toString(16)} in ${hex(frameBytes)}`);
        continue;
      }
      out.push({ frame: { addr, cmd, data: Uint8Array.from(frameBytes.subarray(3, len - 2)) } });
      this.resyncing = false;
      this.buf = this.buf.subarray(len);
    }
  }

  /** Whether a complete frame with a good ETX and SUM starts at some STX after byte 0. */
  private validFrameAfterStart(): boolean {
    for (let j = this.buf.indexOf(STX, 1); j !== -1; j = this.buf.indexOf(STX, j + 1)) {
      const addr = this.buf[j + 1];
      const cmd = this.buf[j + 2];
      if (addr === undefined || cmd === undefined || addr > MAX_ADDR) continue;
      const len = frameLength(cmd, this.from);
      if (len === undefined || j + len > this.buf.length) continue;
      if (this.buf[j + len - 2] === ETX && checksum(this.buf.subarray(j, j + len - 1)) === this.buf[j + len - 1]) return true;
    }
    return false;
  }

  /** Reports a bad frame and resynchronises one byte after its STX. */
  private fail(out: Cu16ParseEvent[], code: 'BAD_FRAME' | 'BAD_CHECKSUM', message: string): void {
    out.push({ error: new HalError(code, message) });
    this.resyncing = true;
    this.buf = this.buf.subarray(1);
  }
}
