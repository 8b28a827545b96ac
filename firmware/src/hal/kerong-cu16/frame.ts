/**
 * Kerong KR-CU16 wire protocol: pure frame codec (no I/O).
 *
 * Line settings: RS-485, 19200 baud, 8 data bits, no parity, 1 stop bit (factory default).
 *
 * Every frame is `STX 0x02 | ADDR | CMD | DATA... | ETX 0x03 | SUM` where SUM is the low byte of
 * the sum of every preceding byte (STX included). The frame length is fixed per command, so a
 * receiver knows where a frame ends from its CMD byte (0x02 and 0x03 also occur inside ADDR and
 * DATA: they are not unique markers).
 *
 * ADDR = (board << 4) | lock: board address 0..9 (set by the board's DIP switches; up to 10
 * boards on one bus, so ADDR is 0x00..0x9F) and lock 0..15 on that board.
 *
 * Commands (as published for the KR-CU16 and used by integrators; 0x37/0x38 data layout is ours,
 * see below):
 *
 * | CMD  | direction        | DATA | meaning |
 * |------|------------------|------|---------|
 * | 0x30 | host -> board    | -    | status query. The board answers with 0x35 for all 16 locks; the lock nibble of ADDR is ignored (we send 0). |
 * | 0x32 | host -> board    | -    | status query of the boards that do not know 0x30 (same 0x35 answer). |
 * | 0x31 | host -> board    | -    | unlock lock `ADDR & 0x0F`: the board energises that solenoid for its configured pulse time and answers with 0x35, or with a short acknowledgement (next row). |
 * | 0x31 | board -> host    | 1    | unlock acknowledgement `02 ADDR 31 00 03 SUM` (DATA 0x00: accepted). |
 * | 0x35 | board -> host    | 4    | status reply: `LOCK 1-8, LOCK 9-16, IR 1-8, IR 9-16` (bit 0 = lock 0 / lock 8). |
 * | 0x37 | host -> board    | 2    | set pulse (unlock) time in ms, big-endian 16 bit. |
 * | 0x38 | board -> host    | 2    | pulse time now in force, big-endian 16 bit (reply to 0x37). |
 *
 * Dialects: boards in the field differ in the status query they know (0x30 or 0x32) and in how they answer an
 * unlock (a status frame or the short acknowledgement); `dialect.ts` keeps what each board speaks. Because 0x31
 * has a different length in each direction, a parser is told which side's frames it reads (`FrameSource`).
 *
 * Polarity (documented choice, checked against integrator code for the CU16: a lock bit reports
 * the hook switch, an IR bit the infrared item sensor):
 * - lock bit `1` = hook released = door OPEN, `0` = door closed and latched;
 * - IR bit `1` = the infrared beam is blocked = an item is PRESENT, `0` = compartment empty.
 */

export const STX = 0x02;
export const ETX = 0x03;

/** Command bytes of the KR-CU16 protocol. */
export const Cu16Cmd = {
  STATUS_QUERY: 0x30,
  UNLOCK: 0x31,
  STATUS_QUERY_ALT: 0x32,
  STATUS_REPLY: 0x35,
  SET_PULSE: 0x37,
  PULSE_REPLY: 0x38,
} as const;
export type Cu16CmdByte = (typeof Cu16Cmd)[keyof typeof Cu16Cmd];

/**
 * Whose frames a byte stream carries: the host's commands (what a board reads), the boards' answers (what the
 * controller reads), or `any` (host framing for 0x31, as in a capture of both sides without the acknowledgement).
 */
export type FrameSource = 'host' | 'board' | 'any';

/** Bytes of DATA carried by each known command; a command not listed here is not a frame. */
const DATA_LENGTH: ReadonlyMap<number, number> = new Map([
  [Cu16Cmd.STATUS_QUERY, 0],
  [Cu16Cmd.UNLOCK, 0],
  [Cu16Cmd.STATUS_QUERY_ALT, 0],
  [Cu16Cmd.STATUS_REPLY, 4],
  [Cu16Cmd.SET_PULSE, 2],
  [Cu16Cmd.PULSE_REPLY, 2],
]);
/** What a board sends: 0x31 is then the one-byte unlock acknowledgement. */
const BOARD_DATA_LENGTH: ReadonlyMap<number, number> = new Map([
  [Cu16Cmd.UNLOCK, 1],
  [Cu16Cmd.STATUS_REPLY, 4],
  [Cu16Cmd.PULSE_REPLY, 2],
]);

/** Highest board address (boards 0..9). */
export const MAX_BOARD = 9;
/** Locks per board. */
export const LOCKS_PER_BOARD = 16;
/** Highest valid ADDR byte (board 9, lock 15). */
export const MAX_ADDR = (MAX_BOARD << 4) | 0x0f;
/** Bytes of the frame envelope around DATA: STX ADDR CMD ... ETX SUM. */
export const FRAME_OVERHEAD = 5;

/** One decoded frame. */
export interface Cu16Frame {
  /** ADDR byte: (board << 4) | lock. */
  addr: number;
  /** CMD byte. */
  cmd: number;
  /** DATA bytes (length fixed by `cmd`). */
  data: Uint8Array;
}

/** Total frame length for `cmd` sent by `from`, or `undefined` when `cmd` is not a known command of that side. */
export function frameLength(cmd: number, from: FrameSource = 'any'): number | undefined {
  const n = (from === 'board' ? BOARD_DATA_LENGTH : DATA_LENGTH).get(cmd);
  return n === undefined ? undefined : FRAME_OVERHEAD + n;
}

/** Low byte of the sum of `bytes` (the SUM byte of a frame over everything before it). */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** ADDR byte of `lock` on `board`. Throws RangeError outside board 0..9 / lock 0..15. */
export function toAddr(board: number, lock: number): number {
  if (!Number.isInteger(board) || board < 0 || board > MAX_BOARD) throw new RangeError(`board ${board} outside 0..${MAX_BOARD}`);
  if (!Number.isInteger(lock) || lock < 0 || lock >= LOCKS_PER_BOARD) throw new RangeError(`lock ${lock} outside 0..15`);
  return (board << 4) | lock;
}

/** Splits an ADDR byte into board and lock. */
export function fromAddr(addr: number): { board: number; lock: number } {
  return { board: addr >> 4, lock: addr & 0x0f };
}

/** Encodes a frame sent by `from`; throws RangeError for an unknown command or a DATA length that does not fit it. */
export function encodeFrame(frame: Cu16Frame, from: FrameSource = 'any'): Buffer {
  const len = frameLength(frame.cmd, from);
  if (len === undefined) throw new RangeError(`unknown CU16 command 0x${frame.cmd.toString(16)}`);
  if (frame.data.length !== len - FRAME_OVERHEAD) {
    throw new RangeError(`CU16 command 0x${frame.cmd.toString(16)} takes ${len - FRAME_OVERHEAD} data bytes, got ${frame.data.length}`);
  }
  if (frame.addr < 0 || frame.addr > 0xff) throw new RangeError(`ADDR ${frame.addr} is not a byte`);
  const out = Buffer.alloc(len);
  out[0] = STX;
  out[1] = frame.addr;
  out[2] = frame.cmd;
  out.set(frame.data, 3);
  out[len - 2] = ETX;
  out[len - 1] = checksum(out.subarray(0, len - 1));
  return out;
}

/** Frame of a status query to `board` (0x30, or 0x32 for boards of that dialect). */
export function statusQuery(board: number, cmd: number = Cu16Cmd.STATUS_QUERY): Buffer {
  if (cmd !== Cu16Cmd.STATUS_QUERY && cmd !== Cu16Cmd.STATUS_QUERY_ALT) throw new RangeError(`0x${cmd.toString(16)} is not a status query`);
  return encodeFrame({ addr: toAddr(board, 0), cmd, data: new Uint8Array(0) });
}

/** A board's short acknowledgement of an unlock of ADDR `addr`: `02 ADDR 31 00 03 SUM`. */
export function unlockAck(addr: number): Buffer {
  return encodeFrame({ addr, cmd: Cu16Cmd.UNLOCK, data: Uint8Array.of(0) }, 'board');
}

/** Frame of an unlock of `lock` on `board`. */
export function unlockCommand(board: number, lock: number): Buffer {
  return encodeFrame({ addr: toAddr(board, lock), cmd: Cu16Cmd.UNLOCK, data: new Uint8Array(0) });
}

/** Frame setting the pulse time of `board` to `pulseMs` (1..65535). */
export function setPulseCommand(board: number, pulseMs: number): Buffer {
  return encodeFrame({ addr: toAddr(board, 0), cmd: Cu16Cmd.SET_PULSE, data: encodePulse(pulseMs) });
}

/** 16-bit big-endian pulse time. */
export function encodePulse(pulseMs: number): Uint8Array {
  if (!Number.isInteger(pulseMs) || pulseMs < 1 || pulseMs > 0xffff) throw new RangeError(`pulse ${pulseMs} ms outside 1..65535`);
  return Uint8Array.of(pulseMs >> 8, pulseMs & 0xff);
}

export function decodePulse(data: Uint8Array): number {
  return ((data[0] ?? 0) << 8) | (data[1] ?? 0);
}

/** Lock and infrared bit masks of one board (bit n = lock n). */
export interface Cu16Status {
  /** Bit n set: lock n's door is open (hook released). */
  locks: number;
  /** Bit n set: the infrared sensor of lock n sees an item. */
  infrared: number;
}

/** DATA of a 0x35 status reply. */
export function encodeStatus(status: Cu16Status): Uint8Array {
  return Uint8Array.of(status.locks & 0xff, (status.locks >> 8) & 0xff, status.infrared & 0xff, (status.infrared >> 8) & 0xff);
}

export function decodeStatus(data: Uint8Array): Cu16Status {
  return {
    locks: (data[0] ?? 0) | ((data[1] ?? 0) << 8),
    infrared: (data[2] ?? 0) | ((data[3] ?? 0) << 8),
  };
}

/** Frame of a status reply from ADDR `addr`. */
export function statusReply(addr: number, status: Cu16Status): Buffer {
  return encodeFrame({ addr, cmd: Cu16Cmd.STATUS_REPLY, data: encodeStatus(status) });
}

/** Hex dump for logs: `02 00 30 03 35`. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
