// portier-controller: the firmware daemon of one locker column. Kept thin on purpose: it wires
// the configuration, the lock bus and the door controller; the MQTT link and the kiosk come later.
import { Command } from 'commander';
import { formatProblems, loadConfigFile, type ControllerConfig } from './config/index.ts';
import { createLockBus } from './doors/create-bus.ts';
import { DoorController, installSafeExit, type DoorControllerEventMap } from './doors/index.ts';
import { createLogger } from './util/logger.ts';

const EVENTS: Array<keyof DoorControllerEventMap> = [
  'door-opened',
  'door-closed',
  'door-forced',
  'door-left-open',
  'door-jammed',
  'sensor-flapping',
  'sensor-settled',
  'door-unknown',
  'lock-fault',
  'bus-health',
];

export async function run(configPath: string): Promise<void> {
  const loaded = await loadConfigFile(configPath, process.env);
  if (!loaded.ok) {
    process.stderr.write(`portier-controller: invalid configuration ${configPath}:\n${formatProblems(loaded.problems)}\n`);
    process.exit(2);
  }
  const config: ControllerConfig = loaded.config;
  const logger = createLogger({ level: config.log.level });
  const bus = await createLockBus(config.hardware, logger);
  const controller = new DoorController({ ...config.hardware.doors, bus, logger });
  // Installed before the bus opens, so a failure while opening still ends with outputs safe.
  installSafeExit(bus, logger, { onShutdown: () => controller.stop() });

  for (const name of EVENTS) {
    controller.on(name, (payload: unknown) => {
      const level = name === 'door-opened' || name === 'door-closed' || name === 'sensor-settled' ? 'info' : 'warn';
      logger[level]({ event: name, ...(payload as object) }, name);
    });
  }
  try {
    await controller.start();
  } catch (err) {
    logger.fatal({ err }, 'could not start the lock bus');
    await bus.close().catch(() => undefined);
    process.exit(1);
  }
  logger.info({ kind: bus.kind, doors: bus.doors }, 'portier-controller running');

  for (const door of config.hardware.commissioning.unlockAtStart) {
    const result = await controller.unlock(door);
    logger.info({ event: 'commissioning-unlock', ...result }, `commissioning unlock of door ${door}: ${result.outcome}`);
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command();
  program
    .name('portier-controller')
    .description('Portier controller firmware for one locker column: drives the lock bus and reports door events.')
    .showHelpAfterError();
  program
    .command('run')
    .description('run the controller with a validated configuration file (YAML or JSON)')
    .requiredOption('-c, --config <file>', 'configuration file')
    .action(async (opts: { config: string }) => {
      await run(opts.config);
    });
  await program.parseAsync(argv);
}
