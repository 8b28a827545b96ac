// The headphone-detect input the controller configuration names (`kiosk.headphoneDetect: { kind: gpio, ... }`): a
// digital input of a Firmata I/O board on its own serial port, debounced by the GPIO HAL.
import { SerialPort } from 'serialport';
import type { GpioHeadphoneDetectConfig } from '../runtime/config.ts';
import { GpioSwitchInput } from '../hal/gpio/gpio-switch.ts';
import type { SwitchInput } from '../hal/inputs.ts';
import type { Logger } from '../util/logger.ts';

/**
 * Builds and opens the configured detect input. A board that is not there at start is logged and the kiosk runs
 * without it: screen and keypad work, audio mode cannot start until the controller is restarted with the board there.
 */
export async function openHeadphoneDetect(cfg: GpioHeadphoneDetectConfig, logger: Logger): Promise<SwitchInput> {
  const { default: firmataIo } = await import('firmata-io');
  const port = new SerialPort({ path: cfg.io.path, baudRate: cfg.io.baudRate });
  const io = new firmataIo.Firmata(port, { reportVersionTimeout: cfg.io.reportVersionTimeoutMs });
  const input = new GpioSwitchInput({
    io,
    pin: cfg.pin,
    onLevel: cfg.pluggedLevel,
    pull: cfg.pull,
    debounceMs: cfg.debounceMs,
    logger,
    closeTransport: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  });
  await input.open().catch((err: unknown) => logger.warn({ err, path: cfg.io.path, pin: cfg.pin }, 'headphone-detect input did not open; the kiosk runs without audio mode until a restart'));
  return input;
}
