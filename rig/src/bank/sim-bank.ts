// A whole simulated locker bank: N columns of virtual doors on virtual KR-CU16 boards, each driven by a REAL controller
// runtime (the firmware's `startController`) in this process. The simulator's parts plug in below the HAL only: the
// controller gets a real `KerongCu16Bus` over a virtual transport (serialport's mock binding, or a socat pty it opens
// like /dev/ttyUSB0), and the kiosk column a recording audio sink, virtual scanner, badge reader, headphone jack,
// keypad, touch layer and display. Everything above (door controller, link, kiosk engine) is the firmware's own code.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { MqttVersion } from '@portier/protocol';
import { KerongCu16Bus, type KeypadKey, type LockBus } from '@portier/firmware/hal';
import { attachKioskPanel, startController, validateRuntimeConfig, type KioskEngine, type RunningController, type RuntimeEventMap } from '@portier/firmware';
import {
  RecordingAudioOut,
  RecordingDisplay,
  VirtualCu16BoardSet,
  VirtualDoor,
  VirtualKeypad,
  VirtualLineReader,
  VirtualSwitch,
  VirtualTouch,
  createMockCu16Transport,
  expectCondition,
  expectEvent,
  keepLast,
  startCu16OnPty,
  type Cu16OnPty,
  type MockCu16Transport,
} from '@portier/sim';
import { doorList, identityOf } from './column-identity.ts';
import { BankConfigError, type BankColumnConfig, type BankConfig, type BankConfigProblem } from './bank-config.ts';

/** The controller's events a column keeps for tests to read: a bank simulated for hours holds the latest only. */
const EVENTS_KEPT = 10_000;

export interface RunSimBankOptions {
  /**
   * The broker of the cloud (one URL, or a cluster's nodes separated by commas) and the MQTT version; override the
   * description's `cloud` section.
   */
  cloud?: { brokerUrl: string; mqttVersion?: MqttVersion };
  bank: BankConfig;
  /** Overrides the description's transport. */
  transport?: 'mock' | 'pty';
  logger?: Logger;
  /** Faster reconnects for tests. */
  linkOverrides?: { backoff?: { minMs?: number; maxMs?: number }; evtackTimeoutMs?: number };
  /**
   * The kiosk column's touch screen (the controller's `kiosk.screen`), served on loopback: a browser opened on
   * `bank.kiosk.column.controller.screen.url` shows the kiosk and drives it. Port 0: any free port.
   */
  kioskScreen?: { port?: number; blankInAudioMode?: boolean };
}

/** One simulated column and its controller. */
export interface SimColumn {
  /** 1-based column number in the bank description. */
  readonly number: number;
  readonly controllerId: string;
  readonly kiosk: boolean;
  readonly doors: ReadonlyMap<number, VirtualDoor>;
  readonly boards: VirtualCu16BoardSet;
  /** The real controller runtime driving this column. */
  readonly controller: RunningController;
  /** The tty the controller opened (pty transport). */
  readonly tty: string | undefined;
  /** Door `n` (1-based within the column): `close()`, `force()`, `setBehaviour(...)`, `open`, `energised`. */
  door(n: number): VirtualDoor;
  /** Resolves when door `n` is physically open (or shut, with `open = false`) within `timeoutMs`. */
  expectDoor(n: number, open: boolean, timeoutMs?: number): Promise<void>;
  /** The events this controller recorded (outbox) since the bank started, oldest first: the last 10,000. */
  readonly events: ReadonlyArray<RuntimeEventMap['event'][0]>;
  /**
   * Resolves with the first recorded event passing `predicate`: one already recorded (from index `from`, default 0)
   * or the next to come within `timeoutMs`.
   */
  expectEvent(predicate: (e: RuntimeEventMap['event'][0]) => boolean, timeoutMs?: number, from?: number): Promise<RuntimeEventMap['event'][0]>;
}

/** The kiosk column's person-facing devices. */
export interface SimKiosk {
  readonly column: SimColumn;
  readonly engine: KioskEngine;
  readonly audio: RecordingAudioOut;
  readonly scanner: VirtualLineReader;
  readonly badgeReader: VirtualLineReader;
  readonly headphones: VirtualSwitch;
  /** The kiosk's display (the pages it was given, as text), keypad and touch layer, attached as the HAL's ports. */
  readonly display: RecordingDisplay;
  readonly keys: VirtualKeypad;
  readonly touch: VirtualTouch;
  /** Presses one key of the keypad and waits until the kiosk settled. */
  keypad(key: KeypadKey): Promise<void>;
  /** Types digits then Enter. */
  type(code: string): Promise<void>;
  /** Scans a barcode / QR code on the scanner. */
  scan(code: string): Promise<void>;
  /** Presents a badge. */
  badge(id: string): Promise<void>;
  /** Touches an option of the screen by id. */
  select(optionId: string): Promise<void>;
  /** Resolves when the kiosk shows `page` within `timeoutMs`. */
  expectPage(page: string, timeoutMs?: number): Promise<void>;
}

export interface SimBank {
  readonly bankId: string;
  readonly transport: 'mock' | 'pty';
  readonly brokerUrl: string;
  readonly columns: readonly SimColumn[];
  /** Column by 1-based number or by controller id. */
  column(which: number | string): SimColumn;
  /** The kiosk column's devices; undefined when no column is the kiosk. */
  readonly kiosk: SimKiosk | undefined;
  /** A person shuts every open door of the bank. Returns how many. */
  closeAllDoors(): number;
  /** Stops every controller (outputs safe, goodbye on the link) and the virtual hardware. Idempotent. */
  close(): Promise<void>;
}

interface Built {
  column: SimColumn;
  close(): Promise<void>;
}

/**
 * Starts the bank: for each column the virtual doors and boards, the transport, and a real controller with the
 * column's identity connecting to `brokerUrl`. Invalid identities or settings are reported all at once
 * (`BankConfigError`, with `columns.N....` paths) before anything starts.
 */
export async function runSimBank(opts: RunSimBankOptions): Promise<SimBank> {
  const bank = opts.bank;
  const transport = opts.transport ?? bank.transport;
  const logger = opts.logger ?? pino({ level: 'silent' });
  const problems: BankConfigProblem[] = [];

  // 1. Identities and controller configurations, every problem first.
  const plans: Array<{ c: BankColumnConfig; index: number; raw: Record<string, unknown>; controllerId: string; brokerUrl: string }> = [];
  for (const [index, c] of bank.columns.entries()) {
    const where = `columns.${index}`;
    const id = await identityOf(c, where, problems);
    if (!id) continue;
    const brokerUrl = opts.cloud?.brokerUrl ?? bank.cloud?.brokerUrl ?? id.brokerUrl;
    if (!brokerUrl) {
      problems.push({ path: 'cloud.brokerUrl', message: 'no broker URL (give cloud.brokerUrl, --broker, or a provisioned file with one)' });
      continue;
    }
    const mqttVersion = opts.cloud?.mqttVersion ?? bank.cloud?.mqttVersion ?? id.mqttVersion;
    if (id.bankId !== undefined && id.bankId !== bank.bankId) {
      problems.push({ path: `${where}.controllerConfig`, message: `the identity is for bank ${id.bankId}, not ${bank.bankId}` });
    }
    const count = doorList(c).length;
    const raw: Record<string, unknown> = {
      log: { level: bank.logLevel },
      hardware: {
        // The path is replaced by the pty's tty (pty transport) or unused (the mock transport's bus is injected).
        bus: { kind: 'kerong-cu16', path: `/dev/portier-sim-${id.controllerId}`, doorCount: count, replyTimeoutMs: 100 },
        doors: { pollMs: 50, ...c.doorSettings },
      },
      link: {
        brokerUrl,
        ...(mqttVersion !== undefined ? { mqttVersion } : {}),
        bankId: bank.bankId,
        controllerId: id.controllerId,
        column: index + 1,
        secret: id.secret,
        ...(id.cloudPublicKey ? { cloudPublicKey: id.cloudPublicKey } : {}),
        ...(id.cloudPublicKeyFile ? { cloudPublicKeyFile: id.cloudPublicKeyFile } : {}),
        ...(id.credentialKey ? { credentialKey: id.credentialKey } : {}),
        dataDir: join(bank.dataDir, id.controllerId),
      },
      ...(c.kiosk ? { kiosk: { enabled: true, audio: 'none', language: bank.language, ...(opts.kioskScreen ? { screen: opts.kioskScreen } : {}) } } : {}),
    };
    const v = await validateRuntimeConfig(raw);
    if (!v.ok) for (const p of v.problems) problems.push({ path: `${where} (${p.path})`, message: p.message });
    plans.push({ c, index, raw, controllerId: id.controllerId, brokerUrl });
  }
  if (problems.length > 0) throw new BankConfigError(`bank ${bank.bankId}`, problems);

  // 2. Start the columns one after another; on a failure stop what started.
  const built: Built[] = [];
  let kiosk: SimKiosk | undefined;
  try {
    for (const plan of plans) {
      const b = await startColumn(plan, transport, logger, opts.linkOverrides);
      built.push(b.built);
      if (b.kiosk) kiosk = b.kiosk;
    }
  } catch (err) {
    for (const b of built.reverse()) await b.close().catch(() => undefined);
    throw err;
  }
  const columns = built.map((b) => b.column);
  let closing: Promise<void> | undefined;
  return {
    bankId: bank.bankId,
    transport,
    brokerUrl: plans[0]!.brokerUrl,
    columns,
    kiosk,
    column(which) {
      const c = typeof which === 'number' ? columns[which - 1] : columns.find((x) => x.controllerId === which);
      if (!c) throw new RangeError(`no column ${String(which)} in bank ${bank.bankId} (columns 1..${columns.length})`);
      return c;
    },
    closeAllDoors() {
      let n = 0;
      for (const c of columns) {
        for (const d of c.doors.values()) {
          if (d.open) {
            d.close();
            n++;
          }
        }
      }
      return n;
    },
    close() {
      closing ??= (async () => {
        for (const b of [...built].reverse()) await b.close().catch((err: unknown) => logger.error({ err }, 'column stop failed'));
      })();
      return closing;
    },
  };
}

async function startColumn(
  plan: { c: BankColumnConfig; index: number; raw: Record<string, unknown>; controllerId: string },
  transport: 'mock' | 'pty',
  logger: Logger,
  linkOverrides: RunSimBankOptions['linkOverrides'],
): Promise<{ built: Built; kiosk?: SimKiosk }> {
  const { c, index, raw, controllerId } = plan;
  const doors = new Map<number, VirtualDoor>();
  doorList(c).forEach((e, i) => {
    const d = new VirtualDoor(i + 1, { ...c.behaviour, ...e.behaviour });
    if (e.item) d.setItem(true);
    if (e.open) d.force();
    doors.set(i + 1, d);
  });
  const boards = VirtualCu16BoardSet.inOrder([...doors.values()], { pulseMs: 300, hardwareMaxPulseMs: 2000, replyDelayMs: c.boardReplyDelayMs });
  const log = logger.child({ column: index + 1, controllerId });
  let mock: MockCu16Transport | undefined;
  let pty: Cu16OnPty | undefined;
  let bus: LockBus | undefined;
  const disposeHw = async (): Promise<void> => {
    await mock?.close();
    await pty?.close();
    boards.dispose();
    for (const d of doors.values()) d.dispose();
  };
  const hardware = raw['hardware'] as { bus: { path: string; doorCount: number; replyTimeoutMs: number }; doors: { maxPulseMs?: number } };
  try {
    if (transport === 'mock') {
      mock = createMockCu16Transport(boards);
      const m = mock;
      bus = new KerongCu16Bus({
        openPort: () => m.openPort(),
        doorCount: hardware.bus.doorCount,
        maxPulseMs: hardware.doors.maxPulseMs ?? 1000,
        replyTimeoutMs: hardware.bus.replyTimeoutMs,
        logger: log,
      });
    } else {
      pty = await startCu16OnPty(boards);
      hardware.bus.path = pty.controllerPath;
    }
  } catch (err) {
    await disposeHw();
    throw err;
  }
  const v = await validateRuntimeConfig(raw);
  if (!v.ok) {
    await disposeHw();
    throw new BankConfigError(`column ${index + 1}`, v.problems);
  }
  mkdirSync(v.config.link!.dataDir, { recursive: true });
  const audio = new RecordingAudioOut({ msPerChar: 2 });
  const scanner = new VirtualLineReader('scanner');
  const badgeReader = new VirtualLineReader('badge');
  const headphones = new VirtualSwitch(false);
  const display = new RecordingDisplay();
  const keys = new VirtualKeypad();
  const touch = new VirtualTouch();
  if (c.kiosk) await Promise.all([scanner.open(), badgeReader.open(), headphones.open(), keys.open(), touch.open()]);
  let controller: RunningController;
  try {
    controller = await startController({
      config: v.config,
      ...(bus ? { bus } : {}),
      logger: log,
      ...(c.kiosk ? { audio, inputs: { scanner, badgeReader, headphoneDetect: headphones } } : {}),
      ...(linkOverrides ? { linkOverrides } : {}),
    });
  } catch (err) {
    await disposeHw();
    throw err;
  }
  const events: Array<RuntimeEventMap['event'][0]> = [];
  controller.on('event', (e) => keepLast(events, e, EVENTS_KEPT));
  const column: SimColumn = {
    number: index + 1,
    events,
    controllerId,
    kiosk: c.kiosk,
    doors,
    boards,
    controller,
    tty: pty?.controllerPath,
    door(n) {
      const d = doors.get(n);
      if (!d) throw new RangeError(`no door ${n} in column ${index + 1} (doors 1..${doors.size})`);
      return d;
    },
    expectDoor(n, open, timeoutMs = 3000) {
      const d = column.door(n);
      return expectCondition(() => d.open === open, timeoutMs, `door ${n} of column ${index + 1} ${open ? 'open' : 'shut'}`);
    },
    async expectEvent(predicate, timeoutMs = 3000, from = 0) {
      const seen = events.slice(from).find(predicate);
      if (seen) return seen;
      const [e] = await expectEvent(controller, 'event', timeoutMs, { predicate, description: 'a recorded event' });
      return e;
    },
  };
  let detachPanel = (): void => undefined;
  const built: Built = {
    column,
    async close() {
      detachPanel();
      await controller.stop();
      await Promise.all([scanner.close(), badgeReader.close(), headphones.close(), keys.close(), touch.close()]);
      await disposeHw();
    },
  };
  if (!c.kiosk || !controller.kiosk) return { built };
  const engine = controller.kiosk.engine;
  detachPanel = attachKioskPanel(engine, { display, keypad: keys, touch, logger: log });
  const press = async (key: KeypadKey): Promise<void> => {
    if (!keys.press(key)) throw new Error('the keypad is closed');
    await engine.settled();
  };
  const kiosk: SimKiosk = {
    column,
    engine,
    audio,
    scanner,
    badgeReader,
    headphones,
    display,
    keys,
    touch,
    keypad: press,
    async type(code) {
      for (const ch of code) await press(ch as KeypadKey);
      await press('enter');
    },
    async scan(code) {
      if (!scanner.scan(code)) throw new Error('the scanner is closed');
      await engine.settled();
    },
    async badge(id) {
      if (!badgeReader.scan(id)) throw new Error('the badge reader is closed');
      await engine.settled();
    },
    async select(optionId) {
      if (!touch.touch({ kind: 'option', id: optionId })) throw new Error('the touch layer is closed');
      await engine.settled();
    },
    expectPage: (page, timeoutMs = 3000) => expectCondition(() => engine.screen.page === page, timeoutMs, `kiosk page ${page}`),
  };
  return { built, kiosk };
}
