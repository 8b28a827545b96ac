import { SerialPortMock } from 'serialport';
import { SerialPortStream } from '@serialport/stream';

type MockPortBinding = Awaited<ReturnType<typeof SerialPortMock.binding.open>>;

/**
 * A scanner on a serial line (wire level): the firmware's real `SerialLineReader` opens
 * `openPort()` (serialport's mock binding) and this device types codes into it, ending each with
 * a terminator and optionally cut into pieces, as a USB-serial scanner delivers them.
 */
export class MockSerialScanner {
  readonly path: string;
  private port: MockPortBinding | undefined;
  private static counter = 0;

  constructor(opts: { path?: string } = {}) {
    this.path = opts.path ?? `/dev/portier-sim-scanner-${process.pid}-${++MockSerialScanner.counter}`;
    SerialPortMock.binding.createPort(this.path, { echo: false, record: false });
  }

  /** Port factory for the line reader: a serialport stream over the mock binding. */
  openPort(): SerialPortStream {
    const mock = SerialPortMock.binding;
    const binding: typeof mock = {
      ...mock,
      list: () => mock.list(),
      createPort: (p, o) => mock.createPort(p, o),
      reset: () => mock.reset(),
      open: async (options) => {
        const port = await mock.open(options);
        this.port = port;
        return port;
      },
    };
    return new SerialPortStream({ binding, path: this.path, baudRate: 9600, autoOpen: false });
  }

  /** Raw bytes on the line, as one read. */
  send(bytes: string | Buffer): void {
    if (!this.port?.isOpen) throw new Error(`scanner ${this.path}: nobody has the port open`);
    this.port.emitData(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /**
   * Scans `code`: sends `code + terminator`, cut into `pieces` separate reads (the pieces are
   * a few event-loop turns apart, so the reader really sees them as separate `data` events).
   */
  async scan(code: string, opts: { terminator?: string; pieces?: number } = {}): Promise<void> {
    const bytes = Buffer.from(code + (opts.terminator ?? '\r\n'), 'latin1');
    const n = Math.max(1, Math.min(opts.pieces ?? 1, bytes.length));
    const size = Math.ceil(bytes.length / n);
    for (let i = 0; i < bytes.length; i += size) {
      this.send(bytes.subarray(i, i + size));
      await new Promise((r) => setImmediate(r));
    }
  }
}
