import mqtt from 'mqtt';
import { DEFAULT_MQTT_VERSION, mqttProtocolVersion, parseBrokerUrls, type EventBody, type MqttVersion } from '@portier/protocol';
import type { Logger } from 'pino';
import { DoorError } from '../doors/errors.ts';
import type { DoorController, DoorStatus } from '../doors/door-controller.ts';
import { silentLogger } from '../util/logger.ts';
import {
  ConsoleError,
  type BoardScanReport,
  type ConsoleBackend,
  type ConsoleConfigAccess,
  type ControllerStatus,
  type DoorView,
  type LockTestReport,
  type NetTestReport,
  type RecordedEvent,
  type UnlockReport,
} from './backend.ts';
import type { LogRing } from './log-ring.ts';

/**
 * The part of the MQTT link (`ControllerLink` in `firmware/src/link`) the console reads: its
 * status and `publishEvent`. Structural, so the console does not depend on the link's internals.
 */
export interface ConsoleLink {
  status(): {
    state: 'connecting' | 'online' | 'offline' | 'backoff';
    /** The broker node connected to or being tried (one URL of a cluster's list). */
    broker?: string;
    outboxDepth: number;
    desiredVersion: number | null;
    clockOffsetMs: number | null;
    lastError?: { message: string } | undefined;
  };
  publishEvent(body: EventBody): Promise<{ seq: number; at: number } | unknown>;
}

/**
 * Where the controller records its events: the runtime's `publish` puts each one in the link's outbox (or only
 * logs it without a link) and then emits `event`. Door supervision, the kiosk, commands and the console all record
 * through it, so `events` lists from this one stream what the cloud will get.
 */
export interface EventRecorder {
  publish(body: EventBody): Promise<unknown>;
  on(name: 'event', listener: (e: { body: EventBody; seq: number | undefined }) => void): unknown;
  off(name: 'event', listener: (e: { body: EventBody; seq: number | undefined }) => void): unknown;
}

/** The broker the controller uses (for `net test`). */
export interface BrokerCredentials {
  url: string;
  username: string;
  password: string;
  /** The protocol version the link speaks (`link.mqttVersion`; default 3.1.1): the probe speaks it too. */
  mqttVersion?: MqttVersion;
}

export interface ControllerBackendOptions {
  doors: DoorController;
  /** The controller config file (a `ConsoleConfigFile`). */
  config: ConsoleConfigAccess;
  firmwareVersion: string;
  bankId?: string;
  controllerId?: string;
  /** The MQTT link, when the controller has one (status, events to the cloud). */
  link?: ConsoleLink;
  /** Broker and credentials for `net test`. */
  broker?: BrokerCredentials;
  /** Ring of recent log lines (`createLogTee` feeds it). */
  logRing?: LogRing;
  logger?: Logger;
  /**
   * Restarts the daemon (the runtime: exit with a code the supervisor restarts on). Called after the
   * outputs were driven safe and the door controller stopped.
   */
  restart?: (reason: 'reboot-safe' | 'factory-reset') => void;
  /** Erases local state (desired copy, outbox, seen ids) and restores the shipped config. */
  factoryReset?: () => Promise<void>;
  /** Finds boards on the bus. Default: asks the configured boards and reads the bus health. */
  scanBoards?: () => Promise<BoardScanReport>;
  /** Applies a service change (the kiosk's allocation, the reported state). Default: kept here. */
  setService?: (door: number, state: 'in-service' | 'out-of-service') => Promise<void>;
  /** Service state of a door (e.g. from the desired state). Default: what `setService` set here. */
  serviceOf?: (door: number) => 'in-service' | 'out-of-service';
  /** Desired version last reported to the cloud. Default: the applied desired version. */
  reportedVersion?: () => number | null;
  /**
   * The controller's event recorder (the runtime). With it, the console publishes through it and `events` lists
   * every event it recorded. Without it (a door controller alone), `events` lists what the console itself
   * published: nothing else records events there.
   */
  recorder?: EventRecorder;
  /** How many recent events `events` can show. Default 200. */
  eventsCapacity?: number;
  /**
   * Client id of the `net test` connection. Default `<controllerId>-nettest`: never the link's own id
   * (a clean connect would wipe its persistent session), and fixed, since the cloud broker binds a
   * client id to the first identity that used it.
   */
  netTestClientId?: string;
  /** How long `net test` waits for the broker. Default 5000 ms. */
  netTimeoutMs?: number;
  now?: () => number;
  /** When the daemon started (for uptime). Default: now. */
  startedAt?: number;
}

/**
 * The console backend over the real controller: the door controller (which enforces the pulse
 * limit and the power budget), its lock bus, the config file and the MQTT link.
 */
export class ControllerBackend implements ConsoleBackend {
  readonly firmwareVersion: string;
  readonly config: ConsoleConfigAccess;
  private readonly o: ControllerBackendOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly service = new Map<number, 'in-service' | 'out-of-service'>();
  private readonly recent: RecordedEvent[] = [];
  private readonly capacity: number;
  private readonly detach: Array<() => void> = [];

  constructor(opts: ControllerBackendOptions) {
    this.o = opts;
    this.firmwareVersion = opts.firmwareVersion;
    this.config = opts.config;
    this.log = (opts.logger ?? silentLogger).child({ module: 'console/backend' });
    this.now = opts.now ?? Date.now;
    this.startedAt = opts.startedAt ?? this.now();
    this.capacity = opts.eventsCapacity ?? 200;
    const r = opts.recorder;
    if (r) {
      const onEvent = (e: { body: EventBody; seq: number | undefined }): void => this.noteEvent(e.body, e.seq);
      r.on('event', onEvent);
      this.detach.push(() => r.off('event', onEvent));
    }
  }

  /** Stops listening to the recorder. */
  dispose(): void {
    for (const d of this.detach.splice(0)) d();
  }

  private noteEvent(event: EventBody, seq?: number): void {
    this.recent.push(seq === undefined ? { at: this.now(), event } : { at: this.now(), seq, event });
    if (this.recent.length > this.capacity) this.recent.splice(0, this.recent.length - this.capacity);
  }

  async status(): Promise<ControllerStatus> {
    const h = this.o.doors.bus.health();
    const bus: ControllerStatus['bus'] = { kind: this.o.doors.bus.kind, state: h.state, consecutiveFailures: h.consecutiveFailures };
    if (h.lastError) bus.lastError = `${h.lastError.code}: ${h.lastError.message}`;
    if (h.boards) bus.boards = h.boards.map((b) => ({ address: b.address, state: b.state, consecutiveFailures: b.consecutiveFailures, ...(b.dialect ? { dialect: b.dialect } : {}) }));
    if (h.port) bus.port = h.port;
    let link: ControllerStatus['link'];
    if (this.o.link) {
      const s = this.o.link.status();
      link = {
        state: s.state,
        outboxDepth: s.outboxDepth,
        desiredVersion: s.desiredVersion,
        reportedVersion: this.o.reportedVersion ? this.o.reportedVersion() : s.desiredVersion,
        clockOffsetMs: s.clockOffsetMs === null ? null : Math.round(s.clockOffsetMs),
      };
      if (s.lastError) link.lastError = s.lastError.message;
    } else {
      link = { state: 'not-configured', outboxDepth: 0, desiredVersion: null, reportedVersion: null, clockOffsetMs: null };
    }
    // Where the link is (the node of a cluster it is on or trying), else the broker setting.
    const where = this.o.link?.status().broker ?? this.o.broker?.url;
    if (where !== undefined) link.broker = redactUrls(where);
    const out: ControllerStatus = {
      doors: this.doors(),
      bus,
      link,
      firmwareVersion: this.firmwareVersion,
      uptimeS: Math.round((this.now() - this.startedAt) / 1000),
    };
    if (this.o.bankId) out.bankId = this.o.bankId;
    if (this.o.controllerId) out.controllerId = this.o.controllerId;
    return out;
  }

  doors(): DoorView[] {
    return this.o.doors.statuses().map((s) => this.view(s));
  }

  async open(door: number): Promise<UnlockReport> {
    const r = await this.unlock(door);
    const out: UnlockReport = { door, outcome: r.outcome };
    if (r.pulseMs !== undefined) out.pulseMs = r.pulseMs;
    if (r.reason) out.reason = r.reason;
    return out;
  }

  async test(door: number): Promise<LockTestReport> {
    const before = this.o.doors.status(door);
    const t0 = this.now();
    let openedAt: number | undefined;
    const onOpened = (e: { door: number; at: number }): void => {
      if (e.door === door && openedAt === undefined) openedAt = e.at;
    };
    this.o.doors.on('door-opened', onOpened);
    let r;
    try {
      r = await this.unlock(door);
    } finally {
      this.o.doors.off('door-opened', onOpened);
    }
    const after = this.o.doors.status(door);
    const out: LockTestReport = {
      door,
      outcome: r.outcome,
      ...(r.pulseMs !== undefined ? { pulseMs: r.pulseMs } : {}),
      before: { state: before.state, itemPresent: before.itemPresent },
      after: { state: after.state, itemPresent: after.itemPresent },
    };
    if (r.reason) out.reason = r.reason;
    if (openedAt !== undefined) out.openedAfterMs = Math.max(0, openedAt - t0);
    return out;
  }

  async scanBoards(): Promise<BoardScanReport> {
    if (this.o.scanBoards) return this.o.scanBoards();
    const bus = this.o.doors.bus;
    // A read asks every configured board once; the bus health then says who answered.
    await bus.readDoors().catch(() => undefined);
    const h = bus.health();
    if (bus.kind === 'kerong-cu16' && h.boards) {
      const doorsOf = new Map<number, number[]>();
      const addressOf = (bus as unknown as { addressOf?: (d: number) => { board: number } | undefined }).addressOf?.bind(bus);
      for (const d of bus.doors) {
        const a = addressOf?.(d);
        if (!a) continue;
        doorsOf.set(a.board, [...(doorsOf.get(a.board) ?? []), d]);
      }
      const found = h.boards.filter((b) => b.consecutiveFailures === 0).map((b) => ({ address: b.address, doors: doorsOf.get(b.address) ?? [] }));
      const missing = h.boards.filter((b) => b.consecutiveFailures > 0).map((b) => b.address);
      return { bus: 'kerong-cu16 (configured addresses)', found, missing };
    }
    const ok = h.consecutiveFailures === 0 && h.state !== 'down';
    return { bus: bus.kind, found: ok ? [{ address: 0, doors: [...bus.doors] }] : [], missing: ok ? [] : [0] };
  }

  async setService(door: number, state: 'in-service' | 'out-of-service'): Promise<void> {
    if (!this.o.doors.bus.doors.includes(door)) throw new ConsoleError('UNKNOWN_DOOR', `no door ${door}`);
    if (this.o.setService) await this.o.setService(door, state);
    this.service.set(door, state);
    await this.publishEvent({ type: 'service-changed', door, state, actor: { role: 'technician' }, reason: 'technician console' });
  }

  async netTest(): Promise<NetTestReport> {
    const b = this.o.broker;
    if (!b) return { ok: false, result: 'not-configured' };
    const link = this.o.link?.status();
    if (link?.state === 'online') {
      // The live connection already proves reachability and credentials; a second session is not needed.
      return { ok: true, result: 'connected', broker: redactUrls(link.broker ?? b.url), detail: 'the controller link is online' };
    }
    // A cluster's nodes one after the other, up to the first that takes the credentials: the report names it, or,
    // when none does, says what each node answered.
    const clientId = this.o.netTestClientId ?? `${this.o.controllerId ?? b.username}-nettest`;
    const nodes = brokerNodes(b.url);
    const failed: Array<{ node: string; r: Omit<NetTestReport, 'broker'> }> = [];
    for (const node of nodes) {
      const r = await probeBroker({ ...b, url: node, clientId, timeoutMs: this.o.netTimeoutMs ?? 5000 });
      if (r.ok) return { ...r, broker: redactUrls(node) };
      failed.push({ node, r });
    }
    if (failed.length === 1) return { ...failed[0]!.r, broker: redactUrls(failed[0]!.node) };
    // A refusal says more than an unreachable node: the credentials are what the technician must fix.
    const worst = failed.find((f) => f.r.result === 'refused') ?? failed[failed.length - 1]!;
    const detail = failed.map((f) => `${redactUrls(f.node)} ${f.r.result}`).join('; ');
    return { ...worst.r, broker: redactUrls(b.url), detail };
  }

  logs(n: number): string[] {
    return this.o.logRing?.last(n) ?? [];
  }

  events(n: number): RecordedEvent[] {
    return n <= 0 ? [] : this.recent.slice(-n);
  }

  async rebootSafe(): Promise<void> {
    this.log.warn('reboot-safe from the technician console: outputs safe, then restart');
    await this.o.doors.bus.safe();
    await this.o.doors.stop();
    this.o.restart?.('reboot-safe');
  }

  async factoryReset(): Promise<void> {
    if (!this.o.factoryReset) throw new ConsoleError('NOT_SUPPORTED', 'factory reset is not available on this controller');
    this.log.warn('factory reset from the technician console');
    await this.o.doors.bus.safe();
    await this.o.doors.stop();
    await this.o.factoryReset();
    this.o.restart?.('factory-reset');
  }

  async publishEvent(body: EventBody): Promise<void> {
    if (this.o.recorder) {
      // The recorder logs a failure itself and reports what it recorded through `event`.
      await this.o.recorder.publish(body);
      return;
    }
    if (!this.o.link) {
      this.noteEvent(body);
      return;
    }
    try {
      const e = await this.o.link.publishEvent(body);
      const seq = typeof e === 'object' && e !== null && typeof (e as { seq?: unknown }).seq === 'number' ? (e as { seq: number }).seq : undefined;
      this.noteEvent(body, seq);
    } catch (err) {
      this.noteEvent(body);
      this.log.warn({ err: (err as Error).message, type: body.type }, 'could not record the event for the cloud');
    }
  }

  private async unlock(door: number) {
    try {
      return await this.o.doors.unlock(door);
    } catch (err) {
      if (err instanceof DoorError) {
        throw new ConsoleError(err.code === 'UNKNOWN_DOOR' ? 'UNKNOWN_DOOR' : 'NOT_RUNNING', err.message);
      }
      throw err;
    }
  }

  private view(s: DoorStatus): DoorView {
    const v: DoorView = {
      door: s.door,
      state: s.state,
      itemPresent: s.itemPresent,
      service: this.o.serviceOf ? this.o.serviceOf(s.door) : (this.service.get(s.door) ?? 'in-service'),
      flapping: s.flapping,
    };
    if (s.openSince !== undefined) v.openSince = s.openSince;
    return v;
  }
}

/** One MQTT connection attempt with the given credentials, never retried. */
export async function probeBroker(o: BrokerCredentials & { clientId: string; timeoutMs: number }): Promise<Omit<NetTestReport, 'broker'>> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const client = mqtt.connect(o.url, {
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      clean: true,
      protocolVersion: mqttProtocolVersion(o.mqttVersion ?? DEFAULT_MQTT_VERSION),
      reconnectPeriod: 0,
      connectTimeout: o.timeoutMs,
    });
    const finish = (r: Omit<NetTestReport, 'broker'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end(true);
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, result: 'timeout', ms: Date.now() - started }), o.timeoutMs + 100);
    client.on('connect', () => finish({ ok: true, result: 'connected', ms: Date.now() - started }));
    client.on('error', (err: Error & { code?: string | number }) => {
      const code = err.code;
      if (code === 4 || code === 5 || code === 134 || code === 135 || code === 2 || code === 133) {
        finish({ ok: false, result: 'refused', ms: Date.now() - started, detail: err.message.slice(0, 150) });
      } else {
        finish({ ok: false, result: 'unreachable', ms: Date.now() - started, detail: err.message.slice(0, 150) });
      }
    });
    client.on('close', () => finish({ ok: false, result: 'unreachable', ms: Date.now() - started, detail: 'connection closed' }));
  });
}

/** The URLs of a broker setting (one, or a cluster's nodes); a setting that does not parse is tried as it is. */
function brokerNodes(setting: string): string[] {
  try {
    return parseBrokerUrls(setting).map((n) => n.url);
  } catch {
    return [setting];
  }
}

/** A broker setting without any user name or password (each URL of a list). */
function redactUrls(setting: string): string {
  return setting
    .split(',')
    .map((entry) => {
      try {
        const u = new URL(entry.trim());
        u.username = '';
        u.password = '';
        return u.toString().replace(/\/$/, '');
      } catch {
        return entry.trim();
      }
    })
    .join(',');
}
