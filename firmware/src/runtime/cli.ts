// The `run` and `console` sub-commands of portier-controller over the composed runtime. main.ts registers them
// (`registerRuntimeCommands(program)`); only these functions own the process (signals, exit codes), as STYLE.md asks
// of a program's entry.
import type { Command } from 'commander';
import type { BoardScanReport } from '../console/backend.ts';
import type { LockBus } from '../hal/index.ts';
import type { KerongCu16Bus } from '../hal/kerong-cu16/bus.ts';
import { pino, type Logger } from 'pino';
import { formatProblems } from '../config/index.ts';
import { createLockBus } from '../doors/create-bus.ts';
import { installSafeExit } from '../doors/index.ts';
import {
  ConsoleConfigFile,
  ConsoleLogSink,
  ControllerBackend,
  LogRing,
  createLogTee,
  factoryResetLocalState,
  hashTechnicianPin,
  startConsole,
  technicianPinSchema,
} from '../console/index.ts';
import { loadRuntimeConfig, validateDocumentSync, type RuntimeConfig } from './config.ts';
import { FIRMWARE_VERSION, startController, type RunningController, type StartControllerOptions } from './controller-runtime.ts';

/** Exit code that asks the supervisor (systemd `Restart=on-failure`, the launcher) to start the daemon again. */
export const EXIT_RESTART = 75;

/** What the program prepared from its configuration file before the controller starts. */
export interface Prepared {
  config: RuntimeConfig;
  logger: Logger;
  ring: LogRing | undefined;
  /** Set when the logs share the console's terminal: the console shows them above its prompt. */
  sink?: ConsoleLogSink;
}

async function prepare(configPath: string, logFd: 1 | 2, shareTerminal = false): Promise<Prepared> {
  const loaded = await loadRuntimeConfig(configPath, process.env);
  if (!loaded.ok) {
    process.stderr.write(`portier-controller: invalid configuration ${configPath}:\n${formatProblems(loaded.problems)}\n`);
    process.exit(2);
  }
  const config = loaded.config;
  // LOG_LEVEL is one of the configuration's environment overrides (config/env.ts), already in `config.log.level`.
  const level = config.log.level;
  const ring = config.console ? new LogRing(config.console.logLines) : undefined;
  const fd = pino.destination(logFd);
  const sink = shareTerminal ? new ConsoleLogSink(fd) : undefined;
  const dest = sink ?? fd;
  const logger = pino({ name: 'portier-controller', level }, ring ? createLogTee(ring, dest) : dest);
  return { config, logger, ring, ...(sink ? { sink } : {}) };
}

/**
 * The technician console's backend as `portier-controller` builds it (also used by the console's tests, so they drive
 * the program's own wiring): events from the runtime's recorder, config edits of `configPath`, restart by exit code.
 */
export function consoleBackendFactory(p: Prepared, configPath: string, getRuntime: () => RunningController | undefined): StartControllerOptions['consoleBackend'] {
  const { config, logger, ring } = p;
  return ({ doors, link, runtime }) =>
    new ControllerBackend({
      doors,
      // The runtime records every event (door supervision, kiosk, commands, console): `events` lists what it recorded.
      recorder: runtime,
      firmwareVersion: FIRMWARE_VERSION,
      ...(link ? { link, bankId: link.bankId, controllerId: link.controllerId } : {}),
      ...(config.link ? { broker: { url: config.link.brokerUrl, username: config.link.controllerId, password: config.link.secret, mqttVersion: config.link.mqttVersion } } : {}),
      ...(ring ? { logRing: ring } : {}),
      logger,
      config: new ConsoleConfigFile({
        path: configPath,
        validate: validateDocumentSync,
        liveKeys: ['log.level'],
        onLiveChange: (key, value) => {
          if (key === 'log.level' && typeof value === 'string') logger.level = value;
        },
      }),
      // The backend already drove the outputs safe and stopped the doors; say goodbye on the link, then restart.
      restart: () => {
        const rt = getRuntime();
        void (rt ? rt.stop() : Promise.resolve()).finally(() => process.exit(EXIT_RESTART));
      },
      ...(config.link ? { factoryReset: async () => void (await factoryResetLocalState({ configPath, dataDir: config.link!.dataDir })) } : { factoryReset: async () => void (await factoryResetLocalState({ configPath })) }),
      setService: (door, state) => runtime.setService(door, state, { role: 'technician' }, 'technician console', { record: false }),
      ...(isCu16(doors.bus) ? { scanBoards: () => scanCu16(doors.bus as unknown as Cu16Scan) } : {}),
      serviceOf: (door) => runtime.serviceOf(door),
    });
}

/** `portier-controller run --config FILE`: the daemon. Resolves once running; signals end it with outputs safe. */
export async function runController(configPath: string): Promise<RunningController> {
  const p = await prepare(configPath, 1);
  const { config, logger } = p;
  const bus = await createLockBus(config.hardware, logger);
  let rt: RunningController | undefined;
  // Installed before the bus opens, so a failure while opening still ends with outputs safe. The link's goodbye and
  // file flush are bounded (2 s each), so the whole shutdown is too.
  installSafeExit(bus, logger, { onShutdown: async () => void (await rt?.stop()), timeoutMs: 6000 });
  try {
    rt = await startController({ config, bus, logger, consoleBackend: consoleBackendFactory(p, configPath, () => rt) });
  } catch (err) {
    logger.fatal({ err }, 'could not start the controller');
    await bus.close().catch(() => undefined);
    process.exit(1);
  }
  for (const door of config.hardware.commissioning.unlockAtStart) {
    const result = await rt.doors.unlock(door);
    logger.info({ event: 'commissioning-unlock', ...result }, `commissioning unlock of door ${door}: ${result.outcome}`);
  }
  return rt;
}

/**
 * `portier-controller console --config FILE`: the daemon with the technician console on this terminal (logs on
 * stderr). Ctrl-D at the PIN prompt, or the end of input, stops the controller with outputs safe.
 */
export async function runConsole(configPath: string): Promise<void> {
  // Logs on stderr: when that is this same terminal, the console shows them above its prompt.
  const p = await prepare(configPath, 2, process.stdout.isTTY === true && process.stderr.isTTY === true);
  const { config, logger } = p;
  if (!config.console) {
    process.stderr.write(`portier-controller: ${configPath} has no console section (console.pinHash is needed to sign in)\n`);
    process.exit(2);
  }
  const bus = await createLockBus(config.hardware, logger);
  let rt: RunningController | undefined;
  const removeSafeExit = installSafeExit(bus, logger, { onShutdown: async () => void (await rt?.stop()), timeoutMs: 6000 });
  try {
    rt = await startController({ config, bus, logger, serialConsole: false, consoleBackend: consoleBackendFactory(p, configPath, () => rt) });
  } catch (err) {
    logger.fatal({ err }, 'could not start the controller');
    await bus.close().catch(() => undefined);
    process.exit(1);
  }
  const c = startConsole({
    input: process.stdin,
    output: process.stdout,
    backend: rt.console!.backend,
    config: config.console,
    logger,
    throttle: rt.console!.throttle,
    ...(p.sink ? { logs: p.sink } : {}),
  });
  c.session.on('eof', () => c.close());
  await c.closed;
  removeSafeExit();
  await rt.stop();
  process.exit(0);
}

/** `portier-controller hash-pin`: reads a technician PIN (first line of stdin) and prints its `console.pinHash`. */
export async function hashPin(input: NodeJS.ReadableStream = process.stdin): Promise<void> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  const pin = text.split(/\r?\n/)[0]!.trim();
  const r = technicianPinSchema.safeParse(pin);
  if (!r.success) {
    process.stderr.write(`portier-controller: ${r.error.issues[0]?.message ?? 'bad PIN'}\n`);
    process.exit(2);
  }
  process.stdout.write(`${await hashTechnicianPin(pin)}\n`);
}

/** Registers `run`, `console` and `hash-pin` on the portier-controller program. */
export function registerRuntimeCommands(program: Command): void {
  program
    .command('run')
    .description(
      'run the controller: lock bus and door controller, MQTT link to the cloud (link section), kiosk (kiosk section) and serial technician console (console.serialPath), from a validated configuration file (YAML or JSON)',
    )
    .requiredOption('-c, --config <file>', 'configuration file (hardware, and the link section written by portier-cloud provision)')
    .action(async (opts: { config: string }) => {
      await runController(opts.config);
    });
  program
    .command('console')
    .description('run the controller with the technician console on this terminal (stdin/stdout; logs go to stderr); needs a console section with pinHash')
    .requiredOption('-c, --config <file>', 'configuration file')
    .action(async (opts: { config: string }) => {
      await runConsole(opts.config);
    });
  program
    .command('hash-pin')
    .description('read a technician PIN (4 to 12 digits) from the first line of stdin and print the scrypt hash for console.pinHash')
    .action(async () => {
      await hashPin();
    });
}

/** `boards scan` on an RS-485 bus: every address asked once, configured or not. */
type Cu16Scan = Pick<KerongCu16Bus, 'probeBoards' | 'addressOf' | 'doors'>;
function isCu16(bus: LockBus): boolean {
  return bus.kind === 'kerong-cu16' && typeof (bus as Partial<Cu16Scan>).probeBoards === 'function';
}
async function scanCu16(bus: Cu16Scan): Promise<BoardScanReport> {
  const probed = await bus.probeBoards();
  const doorsOf = (address: number): number[] => bus.doors.filter((d) => bus.addressOf(d)?.board === address);
  return {
    bus: 'kerong-cu16 (addresses 0-9)',
    found: probed.filter((p) => p.answered).map((p) => ({ address: p.address, doors: doorsOf(p.address) })),
    missing: probed.filter((p) => p.configured && !p.answered).map((p) => p.address),
  };
}
