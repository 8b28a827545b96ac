import type { DoorOutcome, EventBody } from '@portier/protocol';
import { PortierError } from '@portier/protocol';
import type { ConfigSetResult, ConfigView } from './config-file.ts';

/**
 * What the console needs from the controller. The real implementation is `ControllerBackend`
 * (`controller-backend.ts`: door controller, lock bus, config file, MQTT link); tests also use a
 * fake. Every method that changes something enforces the controller's own rules (pulse limits,
 * power budget, known doors): the console never talks to hardware directly.
 */
export interface ConsoleBackend {
  /** Firmware version shown by `status`. */
  readonly firmwareVersion: string;
  /** Snapshot for `status`. */
  status(): Promise<ControllerStatus>;
  /** Door view for `status` and the `doors` live view (cheap; called every refresh). */
  doors(): DoorView[];
  /** `open N`: unlock through the door controller; resolves with what the door did. */
  open(door: number): Promise<UnlockReport>;
  /** `test N`: a lock test (pulse, watch the sensor), with sensor readings before and after. */
  test(door: number): Promise<LockTestReport>;
  /** `boards scan`: which lock boards answer on the bus, by address. */
  scanBoards(): Promise<BoardScanReport>;
  /** `service N out|in`. */
  setService(door: number, state: 'in-service' | 'out-of-service'): Promise<void>;
  /** The controller config file (`config show` / `config set`). */
  readonly config: ConsoleConfigAccess;
  /** `net test`: broker reachability and credentials. */
  netTest(): Promise<NetTestReport>;
  /** `logs [N]`: the last N log lines, oldest first. */
  logs(n: number): string[];
  /** `events [N]`: the last N events recorded by this controller, oldest first. */
  events(n: number): RecordedEvent[];
  /** `reboot-safe`: drive every output safe, then restart the daemon (resolves before the restart). */
  rebootSafe(): Promise<void>;
  /** `factory-reset`: erase local state and configuration changes, then restart. */
  factoryReset(): Promise<void>;
  /** Sends an event to the cloud (console-action, login-failure, service-changed). Never throws. */
  publishEvent(body: EventBody): Promise<void>;
}

/** The config operations `config show` / `config set` use (implemented by `ConsoleConfigFile`). */
export interface ConsoleConfigAccess {
  /** The current document on disk as plain data. */
  read(): Promise<unknown>;
  /** `config show`: the settings in effect, defaults marked (secrets masked). */
  show(): Promise<ConfigView>;
  /** Validates and durably writes one change; says whether a restart is needed for it. */
  set(key: string, value: unknown): Promise<ConfigSetResult>;
}

export type DoorStateView = 'closed' | 'unlocking' | 'open' | 'unknown';

export interface DoorView {
  door: number;
  state: DoorStateView;
  /** Item-present (infrared) sensor: `null` when none or unreadable. */
  itemPresent: boolean | null;
  service: 'in-service' | 'out-of-service';
  flapping?: boolean;
  openSince?: number;
}

export interface BoardHealthView {
  address: number;
  state: 'ok' | 'degraded' | 'down';
  consecutiveFailures: number;
  /** The protocol dialect the board speaks (CU16), as detected or configured. */
  dialect?: string;
}

export interface ControllerStatus {
  controllerId?: string;
  bankId?: string;
  doors: DoorView[];
  bus: {
    kind: string;
    state: 'ok' | 'degraded' | 'down';
    consecutiveFailures: number;
    lastError?: string;
    boards?: BoardHealthView[];
    /** A bus on a serial port: `closed` while the port is away. */
    port?: 'open' | 'closed';
  };
  link: {
    /** `not-configured` when the controller runs without a broker. */
    state: 'connecting' | 'online' | 'offline' | 'backoff' | 'not-configured';
    broker?: string;
    outboxDepth: number;
    desiredVersion: number | null;
    reportedVersion: number | null;
    clockOffsetMs: number | null;
    lastError?: string;
  };
  firmwareVersion: string;
  uptimeS: number;
}

export type UnlockOutcomeView = DoorOutcome;

export interface UnlockReport {
  door: number;
  outcome: UnlockOutcomeView;
  /** The pulse sent; absent when none was (bus or serial port closed). */
  pulseMs?: number;
  reason?: string;
}

export interface LockTestReport extends UnlockReport {
  before: { state: DoorStateView; itemPresent: boolean | null };
  after: { state: DoorStateView; itemPresent: boolean | null };
  /** Time from the start of the test until the sensor read open. */
  openedAfterMs?: number;
}

export interface BoardScanReport {
  bus: string;
  /** Addresses that answered, with the doors wired to each (CU16: 16 locks per board). */
  found: Array<{ address: number; doors: number[] }>;
  /** Addresses the configuration expects that did not answer. */
  missing: number[];
}

export interface NetTestReport {
  ok: boolean;
  broker?: string;
  /** `connected`, `refused` (credentials), `unreachable`, `timeout`, `not-configured`. */
  result: 'connected' | 'refused' | 'unreachable' | 'timeout' | 'not-configured';
  ms?: number;
  detail?: string;
}

export interface RecordedEvent {
  at: number;
  seq?: number;
  event: EventBody;
}

/** Errors a backend raises for a refused action, shown to the technician as one line. */
export class ConsoleError extends PortierError<ConsoleErrorCode> {
  override name = 'ConsoleError';
}

export type ConsoleErrorCode =
  | 'UNKNOWN_DOOR'
  | 'OUT_OF_SERVICE'
  | 'BUSY'
  | 'NOT_RUNNING'
  | 'NOT_SUPPORTED'
  | 'BAD_KEY'
  | 'BAD_VALUE'
  | 'CONFIG_INVALID'
  | 'IO';
