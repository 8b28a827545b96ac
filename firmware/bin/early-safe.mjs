// Start-up safety before the TypeScript runtime loads. Plain JavaScript on purpose: loading tsx,
// zod, johnny-five and the rest takes most of a second (several on a busy Pi), and a lock left
// energised by a killed process must not wait that long. For a GPIO bus on a Firmata board this
// sends, straight from the raw configuration file, the few bytes that drive every lock pin to its
// safe level (SET_DIGITAL_PIN_VALUE, SET_PIN_MODE OUTPUT, SET_DIGITAL_PIN_VALUE), then lets the
// real start-up (which validates the file and drives outputs safe again through the bus) run.
// Anything unexpected (no file, another bus kind, a port that will not open) is left silently to
// the real start-up, which reports it properly.
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync, writeSync } from 'node:fs';

const SET_PIN_MODE = 0xf4;
const SET_DIGITAL_PIN_VALUE = 0xf5;
const OUTPUT = 0x01;

/** `--config FILE`, `--config=FILE` or `-c FILE` from the arguments after `run`. */
export function configArg(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((a === '--config' || a === '-c') && typeof args[i + 1] === 'string') return args[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}

/** The safe-level bytes for every lock pin of a gpio/firmata configuration, or undefined. */
export function safeBytes(cfg) {
  const bus = cfg && cfg.hardware && cfg.hardware.bus;
  if (!bus || bus.kind !== 'gpio' || !bus.io || bus.io.type !== 'firmata' || typeof bus.io.path !== 'string') return undefined;
  if (!bus.pins || typeof bus.pins !== 'object') return undefined;
  const bytes = [];
  for (const p of Object.values(bus.pins)) {
    const pin = p && p.lockPin;
    if (!Number.isInteger(pin) || pin < 0 || pin > 127) continue;
    const safe = p.activeLow === true ? 1 : 0;
    bytes.push(SET_DIGITAL_PIN_VALUE, pin, safe, SET_PIN_MODE, pin, OUTPUT, SET_DIGITAL_PIN_VALUE, pin, safe);
  }
  return bytes.length ? { path: bus.io.path, baudRate: Number.isInteger(bus.io.baudRate) ? bus.io.baudRate : 57600, bytes } : undefined;
}

/** Resolves with what it did ('safe', 'not-applicable', ...); never rejects, bounded by `timeoutMs`. */
export async function earlySafe(args, timeoutMs = 500) {
  const file = configArg(args);
  if (!file) return 'no-config';
  let cfg;
  try {
    const text = readFileSync(file, 'utf8');
    try {
      cfg = JSON.parse(text);
    } catch {
      const { parse } = await import('yaml');
      cfg = parse(text);
    }
  } catch {
    return 'unreadable';
  }
  // The hardware section overridden from the environment: leave it to the real start-up rather
  // than write to a port the file names but the controller will not use.
  if (Object.keys(process.env).some((k) => k.startsWith('PORTIER_CONTROLLER__HARDWARE'))) return 'env-overrides';
  const plan = safeBytes(cfg);
  if (!plan) return 'not-applicable';
  // Fast path (Linux): set the line with stty and write through the file system; importing
  // serialport alone costs 100-400 ms on a busy board.
  if (viaTty(plan)) return 'safe';
  let SerialPort;
  try {
    ({ SerialPort } = await import('serialport'));
  } catch {
    return 'no-serialport';
  }
  return new Promise((resolve) => {
    let port;
    const done = (what) => {
      clearTimeout(timer);
      resolve(what);
    };
    const timer = setTimeout(() => {
      try {
        port?.close(() => undefined);
      } catch {
        // already closed
      }
      resolve('timeout');
    }, timeoutMs);
    try {
      port = new SerialPort({ path: plan.path, baudRate: plan.baudRate }, (err) => {
        if (err) return done('open-failed');
        port.write(Buffer.from(plan.bytes), () => port.drain(() => port.close(() => done('safe'))));
      });
      port.on('error', () => undefined);
    } catch {
      done('open-failed');
    }
  });
}

/** Raw 8N1 at the configured speed via stty, then one write. False when any step fails. */
function viaTty(plan) {
  if (process.platform !== 'linux') return false;
  const stty = spawnSync('stty', ['-F', plan.path, String(plan.baudRate), 'raw', '-echo', 'cs8', '-cstopb', '-parenb', 'clocal'], {
    stdio: 'ignore',
    timeout: 500,
  });
  if (stty.status !== 0) return false;
  let fd;
  try {
    fd = openSync(plan.path, fsc.O_WRONLY | fsc.O_NOCTTY | fsc.O_NONBLOCK);
    const buf = Buffer.from(plan.bytes);
    return writeSync(fd, buf) === buf.length;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
