import { closeSync, constants as fsc, openSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { createPtyPair, type PtyPairOptions } from '../pty/socat.ts';
import { FirmataDevice } from './firmata-device.ts';
import type { VirtualPinBank } from './pin-bank.ts';

/** A virtual Firmata board behind a real tty. */
export interface FirmataOnPty {
  /** The tty a controller opens, like /dev/ttyACM0. */
  readonly controllerPath: string;
  readonly device: FirmataDevice;
  /** Detaches the device, closes the sim's end, kills socat. Idempotent. */
  close(): Promise<void>;
}

/**
 * Puts a Firmata device emulator for `bank` on the simulator's end of a socat pty pair (opened
 * with the real `serialport`), so a separate controller process can open the other end.
 * The controller's end is held open here too (never read), so the pty stays up while no
 * controller runs, as a USB serial device stays present when its process dies.
 */
export async function startFirmataOnPty(bank: VirtualPinBank, opts: PtyPairOptions & { baudRate?: number; firmwareName?: string } = {}): Promise<FirmataOnPty> {
  const pair = await createPtyPair({ simName: 'firmata-sim', controllerName: 'firmata-controller', ...opts });
  const port = new SerialPort({ path: pair.simPath, baudRate: opts.baudRate ?? 57600, autoOpen: false });
  port.on('error', () => {
    // The controller end going away shows as an error here; the board keeps running.
  });
  let keeper: number | undefined;
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    keeper = openSync(pair.controllerPath, fsc.O_RDWR | fsc.O_NOCTTY | fsc.O_NONBLOCK);
  } catch (err) {
    await pair.close();
    throw err;
  }
  const device = new FirmataDevice(opts.firmwareName ? { bank, firmwareName: opts.firmwareName } : { bank });
  device.attach(port);
  let closing: Promise<void> | undefined;
  return {
    controllerPath: pair.controllerPath,
    device,
    close() {
      closing ??= (async () => {
        device.dispose();
        if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
        if (keeper !== undefined) closeSync(keeper);
        await pair.close();
      })();
      return closing;
    },
  };
}
