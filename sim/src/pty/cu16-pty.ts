import { SerialPort } from 'serialport';
import { attachCu16ToStream } from '../cu16/transports.ts';
import type { VirtualCu16BoardSet } from '../cu16/boards.ts';
import { createPtyPair, type PtyPairOptions } from './socat.ts';

/** Virtual CU16 boards behind a real tty. */
export interface Cu16OnPty {
  /** The tty a controller opens, like /dev/ttyUSB0. */
  readonly controllerPath: string;
  readonly socatPid: number | undefined;
  /** Detaches the boards, closes the sim's end, kills socat. Idempotent. */
  close(): Promise<void>;
}

/**
 * Puts `boards` on the simulator's end of a socat pty pair, opened with the real `serialport`
 * at 19200 8N1, so a separate controller process can open the other end as a serial port.
 */
export async function startCu16OnPty(boards: VirtualCu16BoardSet, opts: PtyPairOptions = {}): Promise<Cu16OnPty> {
  const pair = await createPtyPair(opts);
  const port = new SerialPort({ path: pair.simPath, baudRate: 19200, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  port.on('error', () => {
    // The controller end going away shows as an error here; the simulator keeps running.
  });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await pair.close();
    throw err;
  }
  const link = attachCu16ToStream(boards, port);
  let closing: Promise<void> | undefined;
  return {
    controllerPath: pair.controllerPath,
    socatPid: pair.pid,
    close() {
      closing ??= (async () => {
        await link.close();
        if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
        await pair.close();
      })();
      return closing;
    },
  };
}
