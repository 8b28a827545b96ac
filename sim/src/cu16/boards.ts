import { EventEmitter } from 'node:events';
import {
  Cu16Cmd,
  LOCKS_PER_BOARD,
  MAX_BOARD,
  decodePulse,
  encodeFrame,
  encodePulse,
  fromAddr,
  statusReply,
  unlockAck,
  Cu16Parser,
  type Cu16Dialect,
  type Cu16Frame,
} from '@portier/firmware/hal';
import type { VirtualDoor } from '../door.ts';

/** Faults a test can switch on per board (STYLE.md: behaviours plugged in per test). */
export interface Cu16BoardFaults {
  /** The board stops answering (unplugged, dead, wrong DIP address). */
  silent: boolean;
  /** Probability 0..1 that a reply has one byte corrupted (bit flip). 1 = every reply. */
  corruptProbability: number;
  /** Replies go out in chunks of random sizes, each a separate serial write. */
  chunked: boolean;
  /** Each reply goes out in one write together with a copy of the previous reply on the bus (several frames in one read). */
  coalesce: boolean;
  /** Extra delay before this board answers, in ms (a slow board; above the controller's timeout it is a late reply). */
  extraDelayMs: number;
}

export const noFaults: Cu16BoardFaults = {
  silent: false,
  corruptProbability: 0,
  chunked: false,
  coalesce: false,
  extraDelayMs: 0,
};

export interface VirtualCu16BoardOptions {
  /** DIP address 0..9. */
  address: number;
  /** Doors wired to locks 0..15 (`undefined`/`null` for an unused lock). */
  locks: ReadonlyArray<VirtualDoor | null | undefined>;
  /** Pulse time at power-up, ms. Default 500. */
  pulseMs?: number;
  /** The longest pulse the board's hardware timer allows, ms: a 0x37 above it is clamped. Default 2000. */
  hardwareMaxPulseMs?: number;
  /**
   * The protocol dialect of this board: the status query it knows (0x30 or 0x32; it ignores the other) and how it
   * answers an unlock (a status frame or the short acknowledgement `02 ADDR 31 00 03 SUM`). Default 0x30, status.
   */
  dialect?: Partial<Cu16Dialect>;
}

/** The dialect of a board that is given none. */
export const defaultDialect: Cu16Dialect = { statusQuery: Cu16Cmd.STATUS_QUERY, unlockReply: 'status' };

export interface Cu16BoardSetOptions {
  boards: VirtualCu16BoardOptions[];
  /** Delay between the end of a command and the reply, ms. Default 2 (19200 baud: ~5 ms for 9 bytes). */
  replyDelayMs?: number;
  /** Seed of the pseudo-random faults (corruption, chunk sizes), so a failing test replays. */
  seed?: number;
}

export interface Cu16BoardSetEventMap {
  /** Bytes the boards put on the bus (towards the controller). */
  transmit: [Buffer];
  /** A command a board accepted (for test assertions). */
  command: [{ board: number; frame: Cu16Frame; at: number }];
}

/** One virtual KR-CU16: 16 lock outputs with a hardware pulse timer, hook and infrared inputs. */
export class VirtualCu16Board {
  readonly address: number;
  readonly locks: ReadonlyArray<VirtualDoor | null | undefined>;
  faults: Cu16BoardFaults = { ...noFaults };
  readonly dialect: Cu16Dialect;
  private pulse: number;
  private readonly hwMax: number;
  private readonly pulseTimers = new Map<number, NodeJS.Timeout>();

  constructor(opts: VirtualCu16BoardOptions) {
    if (!Number.isInteger(opts.address) || opts.address < 0 || opts.address > MAX_BOARD) throw new RangeError(`board address ${opts.address} outside 0..9`);
    if (opts.locks.length > LOCKS_PER_BOARD) throw new RangeError(`a CU16 has 16 locks, got ${opts.locks.length}`);
    this.address = opts.address;
    this.locks = opts.locks;
    this.hwMax = opts.hardwareMaxPulseMs ?? 2000;
    this.pulse = Math.min(opts.pulseMs ?? 500, this.hwMax);
    this.dialect = { ...defaultDialect, ...opts.dialect };
  }

  /** Pulse time now in force, ms. */
  get pulseMs(): number {
    return this.pulse;
  }

  /** Switch faults on or off. */
  setFaults(patch: Partial<Cu16BoardFaults>): void {
    this.faults = { ...this.faults, ...patch };
  }

  /** Lock and infrared masks as the board reads them now (bit 1 = open / item present). */
  status(): { locks: number; infrared: number } {
    let locks = 0;
    let infrared = 0;
    this.locks.forEach((door, i) => {
      if (!door) return;
      if (door.sensorOpen) locks |= 1 << i;
      if (door.itemPresent) infrared |= 1 << i;
    });
    return { locks, infrared };
  }

  /** Handles one command addressed to this board; returns the reply frame, if any. */
  handle(frame: Cu16Frame): Buffer | undefined {
    const { lock } = fromAddr(frame.addr);
    switch (frame.cmd) {
      case Cu16Cmd.STATUS_QUERY:
      case Cu16Cmd.STATUS_QUERY_ALT:
        // A board knows one status query and ignores the other, as it ignores any command it does not know.
        return frame.cmd === this.dialect.statusQuery ? statusReply(frame.addr, this.status()) : undefined;
      case Cu16Cmd.UNLOCK: {
        this.energise(lock);
        return this.dialect.unlockReply === 'ack' ? unlockAck(frame.addr) : statusReply(frame.addr, this.status());
      }
      case Cu16Cmd.SET_PULSE: {
        this.pulse = Math.max(1, Math.min(decodePulse(frame.data), this.hwMax));
        return encodeFrame({ addr: frame.addr, cmd: Cu16Cmd.PULSE_REPLY, data: encodePulse(this.pulse) });
      }
      default:
        return undefined; // a real board ignores what it does not know
    }
  }

  /** Releases every solenoid and cancels timers (power off / end of test). */
  dispose(): void {
    for (const [lock, t] of this.pulseTimers) {
      clearTimeout(t);
      this.locks[lock]?.setLock(false);
    }
    this.pulseTimers.clear();
  }

  private energise(lock: number): void {
    const door = this.locks[lock];
    if (!door) return;
    // The board's own timer ends the pulse: a repeated unlock during a pulse does not extend it.
    if (this.pulseTimers.has(lock)) return;
    door.setLock(true);
    this.pulseTimers.set(
      lock,
      setTimeout(() => {
        this.pulseTimers.delete(lock);
        door.setLock(false);
      }, this.pulse),
    );
  }
}

/**
 * A set of virtual KR-CU16 boards sharing one RS-485 bus. It answers byte for byte with the
 * firmware's own codec (as zwave-js reuses its parser in its simulator): bytes from the
 * controller go in through `receive`, replies come out as `transmit` events. Transports
 * (`mock-transport.ts`, `stream-transport.ts`) wire those to a serial port.
 */
export class VirtualCu16BoardSet extends EventEmitter<Cu16BoardSetEventMap> {
  readonly boards: ReadonlyMap<number, VirtualCu16Board>;
  replyDelayMs: number;
  private readonly parser = new Cu16Parser({ from: 'host' });
  private rng: () => number;
  private lastReply: Buffer | undefined;
  private lineFreeAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(opts: Cu16BoardSetOptions) {
    super();
    const boards = new Map<number, VirtualCu16Board>();
    for (const b of opts.boards) {
      if (boards.has(b.address)) throw new RangeError(`two boards at address ${b.address}`);
      boards.set(b.address, new VirtualCu16Board(b));
    }
    this.boards = boards;
    this.replyDelayMs = opts.replyDelayMs ?? 2;
    this.rng = mulberry32(opts.seed ?? 0x5eed);
    // Bad frames from the controller are ignored, as a board would.
    this.parser.on('frame', (f) => this.onCommand(f));
  }

  /** Boards for `doors` wired in order: door i+1 on board floor(i/16), lock i%16. */
  static inOrder(
    doors: readonly VirtualDoor[],
    opts: Omit<Cu16BoardSetOptions, 'boards'> & { pulseMs?: number; hardwareMaxPulseMs?: number; dialect?: Partial<Cu16Dialect> } = {},
  ): VirtualCu16BoardSet {
    const boards: VirtualCu16BoardOptions[] = [];
    for (let i = 0; i < doors.length; i += LOCKS_PER_BOARD) {
      const b: VirtualCu16BoardOptions = { address: i / LOCKS_PER_BOARD, locks: doors.slice(i, i + LOCKS_PER_BOARD) };
      if (opts.pulseMs !== undefined) b.pulseMs = opts.pulseMs;
      if (opts.hardwareMaxPulseMs !== undefined) b.hardwareMaxPulseMs = opts.hardwareMaxPulseMs;
      if (opts.dialect !== undefined) b.dialect = opts.dialect;
      boards.push(b);
    }
    const set: Cu16BoardSetOptions = { boards };
    if (opts.replyDelayMs !== undefined) set.replyDelayMs = opts.replyDelayMs;
    if (opts.seed !== undefined) set.seed = opts.seed;
    return new VirtualCu16BoardSet(set);
  }

  /** The board at `address`; throws when there is none. */
  board(address: number): VirtualCu16Board {
    const b = this.boards.get(address);
    if (!b) throw new RangeError(`no virtual board at address ${address}`);
    return b;
  }

  /** Reseeds the fault randomness. */
  seed(seed: number): void {
    this.rng = mulberry32(seed);
  }

  /** Bytes written by the controller onto the bus. */
  receive(chunk: Uint8Array): void {
    if (this.disposed) return;
    this.parser.push(chunk);
  }

  /** Stops answering, releases every solenoid, cancels timers. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const b of this.boards.values()) b.dispose();
    this.removeAllListeners('transmit');
  }

  private onCommand(frame: Cu16Frame): void {
    const { board: address } = fromAddr(frame.addr);
    const board = this.boards.get(address);
    if (!board || board.faults.silent) return;
    this.emit('command', { board: address, frame, at: Date.now() });
    const reply = board.handle(frame);
    if (!reply) return;
    const delay = this.replyDelayMs + board.faults.extraDelayMs;
    // No delay asked (a bench measuring our software, not the line): answer on the next turn of the event loop, not
    // after a timer's minimum millisecond.
    if (delay <= 0) this.soon(() => this.send(board, reply));
    else this.later(delay, () => this.send(board, reply));
  }

  private send(board: VirtualCu16Board, reply: Buffer): void {
    let bytes = Buffer.from(reply);
    if (board.faults.corruptProbability > 0 && this.rng() < board.faults.corruptProbability) {
      const i = Math.floor(this.rng() * bytes.length);
      bytes[i] = (bytes[i] as number) ^ (1 << Math.floor(this.rng() * 8));
    }
    if (board.faults.coalesce) bytes = Buffer.concat([this.lastReply ?? reply, bytes]);
    this.lastReply = reply;
    const pieces: Buffer[] = [];
    if (!board.faults.chunked) pieces.push(bytes);
    else {
      // Random chunk sizes, one write each, a millisecond apart (a USB-serial adapter's latency timer).
      for (let offset = 0; offset < bytes.length; ) {
        const size = 1 + Math.floor(this.rng() * Math.min(4, bytes.length - offset));
        pieces.push(bytes.subarray(offset, offset + size));
        offset += size;
      }
    }
    // RS-485 has one talker at a time: a reply starts after the previous one has left the line (a millisecond a
    // piece; no line time at all when the boards are set to answer at once).
    const pieceMs = this.replyDelayMs > 0 || board.faults.chunked || board.faults.extraDelayMs > 0 ? 1 : 0;
    let at = Math.max(Date.now(), this.lineFreeAt);
    for (const piece of pieces) {
      const delay = at - Date.now();
      if (delay <= 0) this.emit('transmit', piece);
      else this.later(delay, () => this.emit('transmit', piece));
      at += pieceMs;
    }
    this.lineFreeAt = at;
  }

  private soon(fn: () => void): void {
    setImmediate(() => {
      if (!this.disposed) fn();
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(t);
  }
}

/** Small seeded PRNG (mulberry32): deterministic faults per seed, and a soak that replays from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
