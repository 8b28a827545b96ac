import { Duplex } from 'node:stream';

/**
 * Two cross-wired Duplex streams: bytes written to one are read from the other. A virtual serial
 * cable in one process (the pty pair's in-process cousin). `a` emits `open` on the next tick,
 * as a serial port does, because firmata-io waits for it.
 */
export function createDuplexPair(): { host: Duplex; device: Duplex } {
  let device!: Duplex;
  const make = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        // Delivered on a later turn, as a real line is: a synchronous echo would answer a request
        // before the requester registered its listener (firmata-io's digitalRead does exactly that).
        setImmediate(() => peer().push(chunk));
        cb();
      },
      final(cb) {
        setImmediate(() => peer().push(null));
        cb();
      },
    });
  const host = make(() => device);
  device = make(() => host);
  process.nextTick(() => host.emit('open'));
  return { host, device };
}
