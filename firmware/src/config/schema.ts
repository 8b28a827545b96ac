import { z } from 'zod';
import { cu16DialectSchema } from '../hal/kerong-cu16/dialect.ts';

/**
 * The controller's configuration: ONE schema with a section per concern (STYLE.md: zigbee2mqtt).
 * `hardware` is the lock bus and the door controller; later sections (MQTT link, kiosk) are added
 * beside it. Parse it only through `validate()` / `loadConfigFile()`, which list every problem.
 */

/** No configuration may energise a lock longer than this (the door controller enforces it too). */
export const MAX_PULSE_MS_LIMIT = 2000;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const pin = int(0, 127);
const doorNumber = int(1, 999);

export const gpioPinSchema = z
  .object({
    /** Digital output driving the lock's solenoid driver. */
    lockPin: pin,
    /** Digital input of the door's reed switch. */
    sensorPin: pin,
    /** The driver energises on LOW (safe level HIGH). Prefer active-high drivers with a pull-down. */
    activeLow: z.boolean().default(false),
    /** Input level when the door is open (1: switch opens, pull-up reads HIGH). */
    sensorOpenLevel: z.union([z.literal(0), z.literal(1)]).default(1),
  })
  .strict();

export const firmataIoSchema = z
  .object({
    /** A Firmata I/O expander (Arduino-class board) on a serial port. */
    type: z.literal('firmata'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(57600),
    /** Ask for the firmware version after this long if the board did not announce itself. */
    reportVersionTimeoutMs: int(0, 10_000).default(200),
  })
  .strict();

export const gpioBusSchema = z
  .object({
    kind: z.literal('gpio'),
    io: z.discriminatedUnion('type', [firmataIoSchema]),
    /** Door number -> pins. */
    pins: z.record(z.string().regex(/^[1-9][0-9]{0,2}$/, 'door numbers are integers 1..999'), gpioPinSchema),
    /** A door sensor level must hold this long to count. */
    debounceMs: int(0, 1000).default(30),
    /** Bound on waiting for the board to be ready. */
    readyTimeoutMs: int(100, 60_000).default(5000),
  })
  .strict();

export { cu16DialectSchema };

export const cu16BusSchema = z
  .object({
    kind: z.literal('kerong-cu16'),
    /** RS-485 adapter, e.g. /dev/ttyUSB0. */
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(19200),
    /** Doors 1..N wired in order: board 0 locks 0..15, then board 1... (up to 10 boards). */
    doorCount: int(1, 160),
    replyTimeoutMs: int(10, 5000).default(250),
    /** The dialect of every board (default: detected per board). */
    dialect: cu16DialectSchema.optional(),
    /** The dialect of single boards, by DIP address "0".."9", over `dialect`. */
    boardDialects: z.record(z.string().regex(/^[0-9]$/, 'board addresses are 0..9'), cu16DialectSchema).optional(),
  })
  .strict();

export const doorsSchema = z
  .object({
    /** Hard limit on any pulse (<= 2000 ms). */
    maxPulseMs: int(1, MAX_PULSE_MS_LIMIT).default(1000),
    /** Default unlock pulse (<= maxPulseMs). */
    pulseMs: int(1, MAX_PULSE_MS_LIMIT).default(500),
    /** Power budget: locks energised at once. */
    maxConcurrentPulses: int(1, 16).default(1),
    pollMs: int(10, 10_000).default(100),
    /** From the start of a pulse, time for the door to be seen open before it counts as jammed. */
    jamWindowMs: int(100, 60_000).default(2000),
    /** An open door is reported left open after this long. */
    leftOpenMs: int(1000, 86_400_000).default(120_000),
    /** A sensor changing `flapChanges` times within `flapWindowMs` is flapping. */
    flapChanges: int(2, 1000).default(6),
    flapWindowMs: int(100, 3_600_000).default(5000),
    /** A door turns unknown after this many failed reads in a row. */
    unknownAfterFailures: int(1, 100).default(3),
  })
  .strict();

export const commissioningSchema = z
  .object({
    /**
     * Installer's wiring check: pulse these doors once, one after another, right after start-up,
     * and log what each did. Leave empty in normal operation.
     */
    unlockAtStart: z.array(doorNumber).default([]),
  })
  .strict();

export const hardwareSchema = z
  .object({
    bus: z.discriminatedUnion('kind', [gpioBusSchema, cu16BusSchema]),
    doors: doorsSchema.default(() => doorsSchema.parse({})),
    commissioning: commissioningSchema.default(() => commissioningSchema.parse({})),
  })
  .strict();

export const logSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export const controllerConfigSchema = z
  .object({
    log: logSchema.default(() => logSchema.parse({})),
    hardware: hardwareSchema,
  })
  .strict();

export type ControllerConfig = z.infer<typeof controllerConfigSchema>;
export type HardwareConfig = z.infer<typeof hardwareSchema>;
export type GpioBusConfig = z.infer<typeof gpioBusSchema>;
export type Cu16BusConfig = z.infer<typeof cu16BusSchema>;
export type Cu16DialectConfig = z.infer<typeof cu16DialectSchema>;
export type DoorsConfig = z.infer<typeof doorsSchema>;
