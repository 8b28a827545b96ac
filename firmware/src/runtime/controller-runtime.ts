// The controller program, composed: lock bus -> door controller -> MQTT link (commands, events, desired state) ->
// kiosk (on the kiosk column) -> technician console. Every part is someone else's module; this file only wires them
// and owns the order of start and stop. The simulator calls `startController` with its virtual bus and devices, so
// the same wiring runs in CI and on a board.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { ControllerFeature, DesiredState, EventBody, PortierEvent, ReportedDoor, ServiceState } from '@portier/protocol';
import { parseCredentialKey } from '@portier/protocol';
import { createLockBus } from '../doors/create-bus.ts';
import { DoorController, DoorMemory, type DoorControllerEventMap, type DoorMemoryPort, type UnlockResult } from '../doors/index.ts';
import type { AudioOut } from '../hal/audio.ts';
import { BrandingCache, type BrandingCacheOptions } from '../branding/index.ts';
import type { KioskScreen } from '../screen/index.ts';
import { openKioskDevices, type KioskDevices } from './kiosk-devices.ts';

export type { KioskDevices } from './kiosk-devices.ts';
import type { LockBus } from '../hal/lock-bus.ts';
import { createControllerKiosk, RemoteDoors, type ControllerKiosk, type LinkLike } from '../kiosk/index.ts';
import { ControllerLink, type CommandExecutor, type CommandOutcome, type LinkStatus } from '../link/index.ts';
import { OfflineAccess } from '../offline/index.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import type { ConsoleBackend } from '../console/backend.ts';
import type { SignInThrottle } from '../console/throttle.ts';
import type { RuntimeConfig } from './config.ts';

export const FIRMWARE_VERSION = '0.1.0';
/** Named in the birth: the cloud sends a desired-state field added after the first release only to a controller naming it. */
export const FIRMWARE_FEATURES: readonly ControllerFeature[] = ['branding'];


export interface StartControllerOptions {
  config: RuntimeConfig;
  /**
   * A lock bus to use instead of the configured one (not yet opened): the simulator passes a real adapter over its
   * virtual transport here. The runtime opens it, drives it and closes it on stop.
   */
  bus?: LockBus;
  /** Audio output of the kiosk instead of the configured one (the simulator's recording sink). */
  audio?: AudioOut;
  /** Kiosk input devices instead of the configured ones. */
  inputs?: KioskDevices;
  logger?: Logger;
  /**
   * The technician console's backend, when the config has a `console` section: built by the caller (it needs the
   * config file path, the log ring and the restart policy, which belong to the program). Called once the doors and
   * the link are up.
   */
  consoleBackend?: (parts: { doors: DoorController; link: ControllerLink | undefined; runtime: RunningController }) => ConsoleBackend & { dispose?(): void };
  /** Serve the console on `config.console.serialPath` (default true when the path is set and a backend is given). */
  serialConsole?: boolean;
  firmware?: string;
  /** The features named in the birth instead of `FIRMWARE_FEATURES` (a controller of an older release, in tests). */
  features?: readonly ControllerFeature[];
  /** Options passed to the link for tests (faster backoff). */
  linkOverrides?: { backoff?: { minMs?: number; maxMs?: number }; evtackTimeoutMs?: number };
  /** How long the kiosk waits for the cloud to open a door of another column (default 8 s). */
  kioskRemoteWaitMs?: number;
  /** How the kiosk fetches its logo file (default: node's fetch) and how it retries (tests: shorter). */
  branding?: Pick<BrandingCacheOptions, 'fetch' | 'timeoutMs' | 'backoff'>;
}

export interface RuntimeEventMap {
  /** An event was recorded in the outbox (or, without a link, only logged). */
  event: [{ body: EventBody; seq: number | undefined }];
  /** Service state of a door changed (desired state, a command or the console). */
  service: [{ door: number; state: ServiceState }];
}

export interface RunningController extends EventEmitter<RuntimeEventMap> {
  readonly config: RuntimeConfig;
  readonly bus: LockBus;
  readonly doors: DoorController;
  readonly link: ControllerLink | undefined;
  readonly kiosk: ControllerKiosk | undefined;
  /** The kiosk's touch screen (`kiosk.screen` in the config): the page's address for the browser on the display. */
  readonly screen: Pick<KioskScreen, 'url' | 'connections'> | undefined;
  /** The technician console: its backend, the serial port it serves, and the sign-in throttle every console shares. */
  readonly console:
    | { backend: ConsoleBackend; serial: { close(): Promise<void>; readonly path: string } | undefined; throttle: SignInThrottle }
    | undefined;
  /**
   * The kiosk's branding as kept on this controller (kiosk column with a link only): colours and the verified logo
   * file, for the kiosk screen to read; `changed` tells when it changes.
   */
  readonly branding: Pick<BrandingCache, 'current' | 'on' | 'off' | 'settled'> | undefined;
  /** Service state of a door now: desired state, overridden by a later `set-service` command or console change. */
  serviceOf(door: number): ServiceState;
  /** Sets a door's service state locally, records a `service-changed` event and reports. */
  setService(
    door: number,
    state: ServiceState,
    actor: { role: 'admin' | 'operator' | 'technician' | 'system'; id?: string },
    reason: string,
    opts?: { record?: boolean },
  ): Promise<void>;
  /** Records an event (outbox + publish when online). Never throws; resolves with the event, if recorded. */
  publish(body: EventBody): Promise<PortierEvent | undefined>;
  linkStatus(): LinkStatus | undefined;
  /**
   * Ordered stop: outputs safe first, then the kiosk and console stop taking input, the door controller settles
   * pending unlocks, the link says goodbye and flushes its files, the bus is closed. Idempotent.
   */
  stop(): Promise<void>;
}

/** The door controller's events a controller forwards as protocol events. */
type DoorEventName = 'door-opened' | 'door-closed' | 'door-forced' | 'door-left-open' | 'door-jammed' | 'door-unknown' | 'sensor-flapping' | 'lock-fault' | 'bus-health';

class Runtime extends EventEmitter<RuntimeEventMap> implements RunningController {
  readonly config: RuntimeConfig;
  readonly bus: LockBus;
  readonly doors: DoorController;
  link: ControllerLink | undefined;
  kiosk: ControllerKiosk | undefined;
  screen: KioskScreen | undefined;
  branding: BrandingCache | undefined;
  console: RunningController['console'];
  private readonly log: Logger;
  private readonly overrides = new Map<number, ServiceState>();
  /** The kiosk's requests to open doors of other columns through the cloud (kiosk column only). */
  private remoteDoors: RemoteDoors | undefined;
  /** The command behind the unlock now running on a door, for the `commandId` of door-opened / door-jammed. */
  private readonly commandOf = new Map<number, string>();
  private readonly undo: Array<() => void> = [];
  private ownedDevices: Array<{ close(): Promise<void> }> = [];
  private ownedAudio: AudioOut | undefined;
  private doorMemory: DoorMemory | undefined;
  private stopping: Promise<void> | undefined;
  private backendDispose: (() => void) | undefined;
  /** Where the console's sign-in lock-out is kept (with a link's data folder). */
  private throttleStore: { flush(): Promise<void> } | undefined;

  constructor(config: RuntimeConfig, bus: LockBus, logger: Logger) {
    super();
    this.config = config;
    this.bus = bus;
    this.log = logger.child({ module: 'runtime' });
    // The door memory is opened at start with the data folder; until then a door has no stored state.
    // A door with an open-door command pending was being unlocked when the controller stopped: the command's pending
    // mark (on disk before the pulse) counts as the memory's `unlocking`, so a door found open after a crash mid-open
    // is not taken for a forced one.
    const memory: DoorMemoryPort = {
      get: (door) => (this.link?.doorsBeingOpened().has(door) ? 'unlocking' : this.doorMemory?.get(door)),
      note: async (door, state) => this.doorMemory?.note(door, state),
    };
    this.doors = new DoorController({ ...config.hardware.doors, bus, logger, memory });
  }

  serviceOf(door: number): ServiceState {
    const o = this.overrides.get(door);
    if (o) return o;
    // Doors of other columns (`remote`, kiosk only) are not ours: their numbers are kiosk-local aliases.
    const d = this.link?.desired.desired?.state.doors.find((x) => x.door === door && !x.remote);
    return d?.service ?? 'in-service';
  }

  async setService(
    door: number,
    state: ServiceState,
    actor: { role: 'admin' | 'operator' | 'technician' | 'system'; id?: string },
    reason: string,
    opts: { record?: boolean } = {},
  ): Promise<void> {
    const before = this.serviceOf(door);
    this.overrides.set(door, state);
    if (before !== state) this.emit('service', { door, state });
    // The console records its own service-changed event (with its audit); everyone else records one here.
    if (opts.record !== false) await this.publish({ type: 'service-changed', door, state, actor, reason: reason.slice(0, 200) || 'set' });
    this.link?.reportNow();
  }

  linkStatus(): LinkStatus | undefined {
    return this.link?.status();
  }

  async publish(body: EventBody): Promise<PortierEvent | undefined> {
    let recorded: PortierEvent | undefined;
    if (this.link) {
      try {
        recorded = await this.link.publishEvent(body);
      } catch (err) {
        this.log.error({ err, type: body.type }, 'could not record an event');
      }
    }
    // Every recorded event, door supervision's included, reaches observers here (the console's `events` listens).
    this.emit('event', { body, seq: recorded?.seq });
    return recorded;
  }

  // ------------------------------------------------------------------------------------------------ commands

  readonly executor: CommandExecutor = {
    openDoor: async (door, pulseMs, command): Promise<CommandOutcome> => {
      if (!this.bus.doors.includes(door)) return { status: 'rejected', reason: 'unknown_door', detail: `no door ${door} on this column` };
      if (this.serviceOf(door) === 'out-of-service') return { status: 'rejected', reason: 'out_of_service', detail: `door ${door} is out of service` };
      this.commandOf.set(door, command.id);
      let r: UnlockResult;
      try {
        // The command's pending mark is on disk before this runs (CommandRunner), and stays until `settled` below.
        r = await this.doors.unlock(door, { intentRecorded: true, ...(pulseMs !== undefined ? { pulseMs } : {}) });
      } finally {
        if (this.commandOf.get(door) === command.id) this.commandOf.delete(door);
      }
      // The door's state after the pulse (noted as the door controller saw it) must be on disk before the pending
      // mark goes: until then the mark is what tells a restart that this door was being unlocked.
      const settled = this.doorMemory?.settled() ?? Promise.resolve();
      if (r.outcome === 'unknown') {
        return {
          status: 'unknown',
          ...(r.reason === 'BUS_SILENT' || r.reason === 'BUS_TIMEOUT' ? { reason: 'bus_silent' as const } : {}),
          ...(r.reason ? { detail: r.reason } : {}),
          settled,
        };
      }
      return { status: r.outcome, settled };
    },
    setService: async (door, state, command): Promise<CommandOutcome | void> => {
      if (!this.bus.doors.includes(door)) return { status: 'rejected', reason: 'unknown_door', detail: `no door ${door} on this column` };
      await this.setService(door, state, { role: 'admin' }, `command ${command.id}`);
      return { status: 'done' };
    },
    endSession: async (): Promise<CommandOutcome | void> => {
      if (!this.kiosk) return { status: 'rejected', reason: 'unsupported', detail: 'this column has no kiosk' };
      await this.kiosk.engine.endSession();
      return { status: 'done' };
    },
    kioskOpenResult: async (command): Promise<CommandOutcome> => {
      if (!this.remoteDoors) return { status: 'rejected', reason: 'unsupported', detail: 'this column has no kiosk' };
      return this.remoteDoors.onResult(command);
    },
    snapshot: () => {
      const doors: ReportedDoor[] = this.doors.statuses().map((s) => ({
        door: s.door,
        state: s.state === 'open' ? 'open' : s.state === 'unknown' ? 'unknown' : 'closed',
        itemPresent: s.itemPresent,
        service: this.serviceOf(s.door),
      }));
      const h = this.bus.health();
      return { doors, bus: { state: h.state, consecutiveFailures: h.consecutiveFailures } };
    },
  };

  // ------------------------------------------------------------------------------------------------ door events

  private forwardDoorEvents(): void {
    const on = <K extends DoorEventName>(name: K, fn: (...a: DoorControllerEventMap[K]) => EventBody | undefined): void => {
      const l = (...a: DoorControllerEventMap[K]): void => {
        const quiet = name === 'door-opened' || name === 'door-closed' || name === 'bus-health';
        this.log[quiet ? 'info' : 'warn']({ event: name, ...(a[0] as object) }, name);
        const body = fn(...a);
        if (body) void this.publish(body);
        this.link?.reportNow();
      };
      this.doors.on(name, l as never);
      this.undo.push(() => this.doors.off(name, l as never));
    };
    const cmd = (door: number): { commandId?: string } => {
      const c = this.commandOf.get(door);
      return c ? { commandId: c } : {};
    };
    // A forced opening is reported once, as door-forced (the cloud raises one alert for it).
    on('door-opened', (e) => (e.cause === 'unlock' ? { type: 'door-opened', door: e.door, cause: 'unlock', ...cmd(e.door) } : undefined));
    on('door-closed', (e) => ({ type: 'door-closed', door: e.door, openForMs: Math.max(0, Math.round(e.openMs ?? 0)) }));
    on('door-forced', (e) => ({ type: 'door-forced', door: e.door }));
    on('door-left-open', (e) => ({ type: 'door-left-open', door: e.door, openForMs: Math.max(0, Math.round(e.openMs)) }));
    on('door-jammed', (e) => ({ type: 'door-jammed', door: e.door, ...cmd(e.door) }));
    on('door-unknown', (e) => ({ type: 'door-unknown', door: e.door }));
    on('sensor-flapping', (e) => ({ type: 'sensor-flapping', door: e.door, changes: e.changes }));
    on('lock-fault', (e) => ({ type: 'lock-fault', door: e.door, code: e.code.slice(0, 40), message: (e.message || e.code).slice(0, 200) }));
    on('bus-health', (h) => ({ type: 'bus-health', state: h.state, consecutiveFailures: h.consecutiveFailures }));
  }

  // ------------------------------------------------------------------------------------------------ start / stop

  async start(opts: StartControllerOptions, logger: Logger): Promise<void> {
    const cfg = this.config;
    this.forwardDoorEvents();
    if (cfg.link) {
      const l = cfg.link;
      const link = new ControllerLink({
        brokerUrl: l.brokerUrl,
        mqttVersion: l.mqttVersion,
        bankId: l.bankId,
        controllerId: l.controllerId,
        secret: l.secret,
        cloudPublicKey: l.cloudPublicKey,
        dataDir: l.dataDir,
        executor: this.executor,
        firmware: opts.firmware ?? FIRMWARE_VERSION,
        features: opts.features ?? FIRMWARE_FEATURES,
        logger,
        connectTimeoutMs: l.connectTimeoutMs,
        keepaliveS: l.keepaliveS,
        ...(l.backoff || opts.linkOverrides?.backoff ? { backoff: { ...l.backoff, ...opts.linkOverrides?.backoff } } : {}),
        ...(opts.linkOverrides?.evtackTimeoutMs !== undefined ? { evtackTimeoutMs: opts.linkOverrides.evtackTimeoutMs } : {}),
      });
      this.link = link;
      const onDesired = (): void => {
        // The cloud's desired state is authoritative: local overrides end when a newer one arrives.
        const changed = [...this.overrides.keys()];
        this.overrides.clear();
        for (const d of link.desired.desired?.state.doors ?? []) {
          if (!d.remote && !this.bus.doors.includes(d.door)) this.log.warn({ door: d.door }, 'desired state names a door this bus does not drive');
        }
        for (const door of changed) this.emit('service', { door, state: this.serviceOf(door) });
        link.reportNow();
      };
      link.on('desired', onDesired);
      this.undo.push(() => link.off('desired', onDesired));
      link.on('local-state-reset', (e) => this.log.warn(e, 'local state was set aside'));
      // The outbox is open before the doors are watched, so no door event of the first readings is lost; the door
      // memory tells the door controller what each door was when the controller stopped.
      await link.open();
      this.doorMemory = await DoorMemory.open(l.dataDir, { logger });
      if (this.doorMemory.reset) this.log.warn(this.doorMemory.reset, 'door memory was set aside');
    }
    // Outputs safe: the bus drives every lock to its safe level as it opens.
    await this.doors.start();
    await this.link?.start();

    const k = cfg.kiosk;
    if (k?.enabled && this.link) {
      const link = this.link;
      const devices = await openKioskDevices(k, opts, logger);
      this.ownedDevices.push(...devices.owned);
      this.ownedAudio = devices.ownedAudio;
      // The kiosk's events go through `publish`, so the console's `events` and observers see them too. Its view of the
      // desired state carries the local service overrides (a set-service command, the console), so it never offers a
      // door the cloud or a technician just took out of service; it is told about them like about a new desired state.
      const changes = new EventEmitter<{ desired: [] }>();
      const relay = (): void => void changes.emit('desired');
      link.on('desired', relay);
      this.on('service', relay);
      this.undo.push(() => {
        link.off('desired', relay);
        this.off('service', relay);
      });
      const overrides = this.overrides;
      const overlaid = {
        get desired(): { state: DesiredState } | null {
          const d = link.desired.desired;
          if (!d || overrides.size === 0) return d;
          return { state: { ...d.state, doors: d.state.doors.map((x) => (!x.remote && overrides.has(x.door) ? { ...x, service: overrides.get(x.door)! } : x)) } };
        },
      };
      const kioskLink: LinkLike = {
        publishEvent: (body) => this.publish(body),
        status: () => link.status(),
        cloudNow: () => link.cloudNow(),
        desired: overlaid,
        on: (e, l) => changes.on(e, l),
        off: (e, l) => changes.off(e, l),
      };
      this.remoteDoors = new RemoteDoors({
        publishEvent: (body) => this.publish(body),
        isOnline: () => link.status().state === 'online',
        ...(opts.kioskRemoteWaitMs !== undefined ? { waitMs: opts.kioskRemoteWaitMs } : {}),
        logger,
      });
      // The logo is fetched from the cloud's public address and kept in the data folder: shown offline and after a restart.
      const branding = await BrandingCache.open({ dir: join(cfg.link!.dataDir, 'branding'), logger, ...opts.branding });
      this.branding = branding;
      const applyBranding = (): void => branding.apply(link.desired.desired?.state.branding);
      link.on('desired', applyBranding);
      this.undo.push(() => link.off('desired', applyBranding));
      applyBranding();
      this.kiosk = createControllerKiosk({
        doorController: this.doors,
        link: kioskLink,
        remoteDoors: this.remoteDoors,
        offlineAccess: new OfflineAccess(link.desired, {
          cloudNow: () => link.cloudNow(),
          logger,
          credentialKey: cfg.link?.credentialKey !== undefined ? parseCredentialKey(cfg.link.credentialKey) : undefined,
        }),
        ...devices.devices,
        logger,
        engine: {
          defaultLang: k.language,
          ...(k.storageDayEndsAt ? { storageDayEndsAt: k.storageDayEndsAt } : {}),
          ...(k.headphoneDetect === 'key' ? { audioSwitch: 'key' as const } : {}),
          ...(k.keyLabels ? { keyLabels: k.keyLabels } : {}),
        },
      });
      if (k.screen) {
        const { startKioskScreen } = await import('../screen/index.ts');
        this.screen = await startKioskScreen({ engine: this.kiosk.engine, config: k.screen, branding, logger });
      }
    }

    if (cfg.console && opts.consoleBackend) {
      const backend = opts.consoleBackend({ doors: this.doors, link: this.link, runtime: this });
      this.backendDispose = backend.dispose?.bind(backend);
      let serial: { close(): Promise<void>; readonly path: string } | undefined;
      const { serveSerialConsole, SignInThrottle: Throttle, FileThrottleStore } = await import('../console/index.ts');
      // One throttle for every console of this controller, kept on disk: unplugging the cable or power-cycling the
      // controller does not lift a lock-out.
      const store = cfg.link
        ? new FileThrottleStore(join(cfg.link.dataDir, 'console-throttle.json'), (err) => this.log.warn({ err }, 'console throttle state not saved'))
        : undefined;
      this.throttleStore = store;
      const throttle = new Throttle({ ...cfg.console, ...(store ? { store } : {}) });
      if (cfg.console.serialPath && opts.serialConsole !== false) {
        const s = serveSerialConsole({ backend, config: cfg.console, logger, throttle });
        s.ready.catch((err: unknown) => this.log.warn({ err }, 'serial console port not available yet; retrying'));
        serial = s;
      }
      this.console = { backend, serial, throttle };
    }
    this.log.info(
      { doors: this.bus.doors, bus: this.bus.kind, link: cfg.link ? `${cfg.link.bankId}/${cfg.link.controllerId}` : 'none', kiosk: !!this.kiosk, console: !!this.console },
      'portier-controller running',
    );
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const step = async (what: string, fn: () => Promise<unknown> | unknown): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.log.error({ err, step: what }, 'stop step failed');
      }
    };
    await step('outputs safe', () => this.bus.safe());
    await step('kiosk screen', () => this.screen?.close());
    await step('kiosk', () => this.kiosk?.stop());
    await step('branding', () => this.branding?.stop());
    await step('console', () => this.console?.serial?.close());
    await step('console throttle', () => this.throttleStore?.flush());
    await step('console backend', () => this.backendDispose?.());
    await step('doors', () => this.doors.stop());
    for (const u of this.undo.splice(0)) u();
    await step('link', () => this.link?.stop());
    await step('bus', () => this.bus.close());
    for (const d of this.ownedDevices.splice(0)) await step('device', () => d.close());
    await step('audio', () => this.ownedAudio?.stop());
    this.log.info('controller stopped, outputs safe');
  }
}

/**
 * Starts one controller: the lock bus (configured, or injected by the simulator), the door controller, the MQTT link
 * with a command executor over the doors, door events as protocol events, the desired state's service states, the
 * kiosk (kiosk column) and the technician console. On a failure while starting, whatever was started is stopped
 * again (outputs safe) and the error is rethrown.
 */
export async function startController(opts: StartControllerOptions): Promise<RunningController> {
  const logger = opts.logger ?? silentLogger;
  const bus = opts.bus ?? (await createLockBus(opts.config.hardware, logger));
  const rt = new Runtime(opts.config, bus, logger);
  try {
    await rt.start(opts, logger);
  } catch (err) {
    await rt.stop();
    throw err;
  }
  return rt;
}
