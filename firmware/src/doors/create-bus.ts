import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { HardwareConfig } from '../config/schema.ts';
import type { LockBus } from '../hal/lock-bus.ts';

/** Builds the configured lock bus (not yet opened). Each adapter is loaded only when configured. */
export async function createLockBus(hw: HardwareConfig, logger: Logger): Promise<LockBus> {
  const bus = hw.bus;
  if (bus.kind === 'kerong-cu16') {
    const [{ KerongCu16Bus, serialPortFactory }, { dialectFromConfig }] = await Promise.all([
      import('../hal/kerong-cu16/bus.ts'),
      import('../hal/kerong-cu16/dialect.ts'),
    ]);
    return new KerongCu16Bus({
      openPort: serialPortFactory(bus.path, bus.baudRate),
      doorCount: bus.doorCount,
      maxPulseMs: hw.doors.maxPulseMs,
      replyTimeoutMs: bus.replyTimeoutMs,
      ...(bus.dialect ? { dialect: dialectFromConfig(bus.dialect) } : {}),
      ...(bus.boardDialects
        ? { boardDialects: Object.fromEntries(Object.entries(bus.boardDialects).map(([address, d]) => [Number(address), dialectFromConfig(d)])) }
        : {}),
      logger,
    });
  }
  // A Firmata I/O expander on a serial port. firmata-io asks for the version itself after
  // `reportVersionTimeoutMs` when the board does not announce itself (no auto-reset on open).
  const [{ default: firmataIo }, { GpioBus }] = await Promise.all([import('firmata-io'), import('../hal/gpio/gpio-bus.ts')]);
  const port = new SerialPort({ path: bus.io.path, baudRate: bus.io.baudRate });
  const io = new firmataIo.Firmata(port, { reportVersionTimeout: bus.io.reportVersionTimeoutMs });
  return new GpioBus({
    io,
    doors: Object.entries(bus.pins).map(([door, p]) => ({ door: Number(door), ...p })),
    maxPulseMs: hw.doors.maxPulseMs,
    debounceMs: bus.debounceMs,
    readyTimeoutMs: bus.readyTimeoutMs,
    logger,
    // Drain first: the bytes that drive the outputs safe must reach the board before the close.
    closeTransport: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.drain(() => port.close(() => resolve()));
      }),
  });
}
