import { SerialPortMock } from 'serialport';
import { SerialPortStream } from '@serialport/stream';
import type { Cu16Port } from '@portier/firmware/hal';
import type { VirtualCu16BoardSet } from './boards.ts';
import { keepLast } from '../recording.ts';

/** The mock binding's per-port object (what `SerialPortMock.binding.open` resolves to). */
type MockPortBinding = Awaited<ReturnType<typeof SerialPortMock.binding.open>>;

/** A duplex byte link between the virtual boards and something that writes and reads bytes. */
export interface Cu16Link {
  /** Detaches the boards from the transport. Idempotent. */
  close(): Promise<void>;
}

export interface MockCu16Transport extends Cu16Link {
  /** Path of the mock port. */
  readonly path: string;
  /** Port factory for `KerongCu16Bus` (`openPort`): a serialport stream over the mock binding. */
  openPort(): Cu16Port;
  /** The controller's last writes (RECORDED_KEPT of them), in order. */
  readonly written: Buffer[];
  /**
   * The adapter is pulled out (or the board set loses power with it): the open port's read fails as a vanished
   * device's does, so the stream closes under its owner, and every open fails until `plugIn()`.
   */
  unplug(): void;
  /** The adapter is back: the next open succeeds. */
  plugIn(): void;
  /** Whether the controller's side has the port open now. */
  readonly isOpen: boolean;
}

let counter = 0;

/**
 * Wires the boards to serialport's mock binding (unit tests): the controller opens a real
 * `SerialPortStream` whose binding is `SerialPortMock.binding`; what it writes is handed to the
 * boards, their replies are `emitData`-ed back. The binding keeps its own strictness (no
 * overlapping writes, reads cancelled on close). It schedules with `process.nextTick` only, so
 * sinon fake timers (which leave nextTick alone by default) do not stall it.
 *
 * (STACK.md: `SerialPortMock.binding` must be used, not a separately imported MockBinding.)
 */
export function createMockCu16Transport(boards: VirtualCu16BoardSet, opts: { path?: string } = {}): MockCu16Transport {
  const path = opts.path ?? `/dev/portier-sim-cu16-${process.pid}-${++counter}`;
  const mock = SerialPortMock.binding;
  mock.createPort(path, { echo: false, record: false });
  const written: Buffer[] = [];
  let current: MockPortBinding | undefined;
  let closed = false;
  let unplugged = false;
  /** Reads in progress: an unplug fails them with a device error (not a cancel), as a vanished tty does. */
  const readers = new Set<(err: Error) => void>();

  const onTransmit = (bytes: Buffer): void => {
    if (current?.isOpen) current.emitData(bytes);
  };
  boards.on('transmit', onTransmit);

  const binding: typeof mock = {
    ...mock,
    list: () => mock.list(),
    createPort: (p, o) => mock.createPort(p, o),
    reset: () => mock.reset(),
    async open(options) {
      if (unplugged) throw new Error(`No such file or directory, cannot open ${path}`);
      const port = await mock.open(options);
      const read = port.read.bind(port);
      port.read = (buffer, offset, length) =>
        new Promise((resolve, reject) => {
          if (unplugged) return reject(new Error('EIO: i/o error, read'));
          readers.add(reject);
          read(buffer, offset, length)
            .then(resolve, reject)
            .finally(() => readers.delete(reject));
        });
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer): Promise<void> => {
        if (unplugged) throw new Error('EIO: i/o error, write');
        await write(buffer);
        if (closed) return;
        // A copy of its own, so a kept write does not hold the pooled block the caller's bytes came from.
        keepLast(written, Buffer.copyBytesFrom(buffer));
        boards.receive(buffer);
      };
      current = port;
      return port;
    },
  };

  return {
    path,
    written,
    openPort: () => new SerialPortStream({ binding, path, baudRate: 19200, autoOpen: false }),
    get isOpen() {
      return current?.isOpen === true;
    },
    unplug() {
      unplugged = true;
      for (const fail of [...readers]) fail(new Error('EIO: i/o error, read'));
      readers.clear();
    },
    plugIn() {
      unplugged = false;
    },
    async close() {
      if (closed) return;
      closed = true;
      boards.off('transmit', onTransmit);
      current = undefined;
    },
  };
}

/** The part of a serialport stream the boards need on their side of a real tty. */
export interface ByteStream {
  write(data: Buffer): unknown;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  off(event: 'data', listener: (data: Buffer) => void): unknown;
}

/** Wires the boards to an open serial stream (the sim's end of a socat pty pair). */
export function attachCu16ToStream(boards: VirtualCu16BoardSet, stream: ByteStream): Cu16Link {
  const onData = (chunk: Buffer): void => boards.receive(chunk);
  const onTransmit = (bytes: Buffer): void => {
    stream.write(bytes);
  };
  stream.on('data', onData);
  boards.on('transmit', onTransmit);
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      stream.off('data', onData);
      boards.off('transmit', onTransmit);
    },
  };
}
