// `make demo`: the whole system on embedded defaults, in one process: the cloud (HTTP API + embedded aedes broker,
// state under ./var/demo), a demo organisation with one locker bank of two columns, each column's controller
// provisioned like a real one, and a simulated bank (virtual doors on virtual KR-CU16 lock boards) driven by the real
// controller firmware. Prints where to look; Ctrl-C stops everything with outputs safe.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { startCloud, type CloudRuntime } from '@portier/cloud';
import { runSimBank, runTerminalKiosk, type SimBank } from '@portier/rig';
import { provisionDemoBank } from './bank.ts';
import { cloudLines, parcelLines, tryItLines } from './guide.ts';
import { seedDemo, DEMO_ADMIN } from './seed.ts';
import { machineSpeaker, mirrorAudio, probeSpeaker } from './speaker.ts';
import { startFailure } from './start-failure.ts';

const root = resolve(process.env.PORTIER_DEMO_DIR ?? join(process.cwd(), 'var', 'demo'));
const httpPort = Number(process.env.PORTIER_DEMO_HTTP_PORT ?? 8080);
const mqttPort = Number(process.env.PORTIER_DEMO_MQTT_PORT ?? 1883);
const screenPort = Number(process.env.PORTIER_DEMO_SCREEN_PORT ?? 8765);
// On a terminal the demo also runs the kiosk screen there; its logs then go to a file so they do not garble it.
const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && process.env.PORTIER_DEMO_KIOSK !== '0';
const logFile = join(root, 'demo.log');
mkdirSync(root, { recursive: true });
const logger = pino(
  { name: 'portier-demo', level: process.env.LOG_LEVEL ?? 'info' },
  interactive
    ? pino.destination({ dest: logFile, sync: false })
    : process.stdout.isTTY
      ? pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss' } })
      : undefined,
);

/** The newest parcel notices, kept on top of the kiosk screen. */
const notices: string[] = [];
let cloud: CloudRuntime | undefined;
let bank: SimBank | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('stopping: controllers first (outputs safe), then the cloud');
  try {
    await bank?.close();
    await cloud?.stop();
  } catch (err) {
    logger.error({ err }, 'error while stopping');
    code = code || 1;
  }
  logger.flush?.();
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  const dataDir = join(root, 'cloud');
  cloud = await startCloud({
    config: { dataDir, http: { host: '127.0.0.1', port: httpPort }, admin: DEMO_ADMIN, log: { level: 'warn' } },
    broker: { kind: 'embedded', host: '127.0.0.1', port: mqttPort },
    logger: logger.child({ part: 'cloud' }),
    // The demo's stand-in for the parcel-ready webhook (notify.webhook): the notice goes to this terminal.
    onPickupCode: (n) => {
      const line = `[notice to ${n.recipient.type} ${n.recipient.id}] a parcel waits in locker ${n.lockerNumber}: pickup code ${n.code}`;
      notices.push(line);
      while (notices.length > 3) notices.shift();
      process.stdout.write(`\n${line}\n`);
    },
  });
  const seeded = await seedDemo(cloud.service);
  const brokerUrl = cloud.mqttUrl;
  const bankConfig = await provisionDemoBank({ root, dataDir, seeded, cloud, brokerUrlOf: () => brokerUrl, brokerUrl });
  bank = await runSimBank({ bank: bankConfig, logger: logger.child({ part: 'sim' }), kioskScreen: { port: screenPort } });
  const screenUrl = bank.kiosk?.column.controller.screen?.url;
  const pickup = await seeded.makeParcel();
  const speaker = probeSpeaker({ ...(process.env.PORTIER_DEMO_SPEAKER !== undefined ? { setting: process.env.PORTIER_DEMO_SPEAKER } : {}) });
  const staff = await seeded.makeStaffCodes(DEMO_ADMIN.user);

  const lines = [
    '',
    'Portier demo is running.',
    ...cloudLines(cloud.httpUrl),
    ...(screenUrl ? [`  Kiosk screen  ${screenUrl}   (the touch screen of the kiosk column: open it in a browser)`] : []),
    `  MQTT broker   ${brokerUrl}   (embedded aedes; no anonymous clients)`,
    `  State         ${root}`,
    `  Bank          ${seeded.bankId}: ${seeded.columns.length} columns, ${seeded.lockerCount} lockers, simulated KR-CU16 lock boards`,
    '',
    ...tryItLines(cloud.httpUrl, seeded.bankId, pickup.lockerNumber),
    '',
    ...parcelLines(pickup, staff, 'New pickup codes are shown here as [notice] lines.'),
    interactive
      ? `Below: the kiosk screen of column 1 (type the pickup code and Enter; C shuts every open door). Logs: ${logFile}`
      : 'Run `make demo` in a terminal to get the kiosk on the terminal too.',
    `Audio (H plugs headphones in): ${speaker.play ? "played through this machine's speaker, and" : `not played (${speaker.why}):`} a transcript is shown under the kiosk screen.`,
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const kiosk = bank.kiosk;
  if (kiosk && speaker.play) mirrorAudio(kiosk.audio, machineSpeaker());
  if (interactive && kiosk) {
    const header = [
      `Portier demo   console ${cloud.httpUrl}/console   API ${cloud.httpUrl}/api/v1   login: ${DEMO_ADMIN.user} / ${DEMO_ADMIN.password}   logs: ${logFile}`,
      `Parcel ${pickup.trackingId} in locker ${pickup.lockerNumber}: pickup code ${pickup.code}   operator PIN ${staff.operatorPin}   carrier code ${staff.carrierCode}`,
    ];
    await runTerminalKiosk({
      input: process.stdin,
      output: process.stdout,
      engine: kiosk.engine,
      header: () => [...header, ...notices],
      audio: kiosk.audio,
      extraKeys: { C: { help: 'a person shuts every open door', run: () => process.stdout.write(`(${bank?.closeAllDoors() ?? 0} door(s) shut)\n`) } },
    });
    // The kiosk screen ends on Ctrl-C / Ctrl-D (raw mode swallows the signal): stop everything.
    await stop(0);
  }
}

main().catch((err: unknown) => {
  logger.error({ err }, 'demo failed to start');
  // The log may be a file nobody has been told about yet: the cause and its fix go to the terminal too.
  process.stderr.write(`\n${startFailure(err, { httpPort, mqttPort, screenPort, logFile: interactive ? logFile : undefined })}\n`);
  void stop(1);
});
