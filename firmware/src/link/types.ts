import type { KeyObject } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import { PortierError } from '@portier/protocol';
import type {
  Ack,
  AckReason,
  AckStatus,
  Channel,
  Command,
  CommandOf,
  ControllerFeature,
  Desired,
  DoorOutcome,
  MqttVersion,
  Reported,
  ReportedDoor,
  ServiceState,
} from '@portier/protocol';
import type { Logger } from '../util/logger.ts';
import type { BackoffOptions } from './backoff.ts';

/** What an executed `open-door` reports: what the door did (the platform's one door outcome), never "pulse sent". */
export type OpenDoorOutcome = DoorOutcome;

/** A full outcome, for an executor that refuses (unknown door, out of service, busy) or explains. */
export interface CommandOutcome {
  status: AckStatus;
  reason?: AckReason;
  detail?: string;
  /**
   * Settles once what the command changed is recorded where a restart reads it (an open-door's door state in the door
   * memory). The command's pending mark is cleared only after it, so a crash in between still finds the door being
   * unlocked.
   */
  settled?: Promise<void>;
}

/**
 * What the link needs from the rest of the controller; the runtime wires it to the door controller.
 * Every method is called only for a verified, fresh, first-seen command addressed to this controller.
 */
export interface CommandExecutor {
  /** Pulses the lock (clamped to the controller's maxPulseMs) and reports what the door did. */
  openDoor(door: number, pulseMs: number | undefined, command: CommandOf<'open-door'>): Promise<OpenDoorOutcome | CommandOutcome>;
  setService(door: number, state: ServiceState, command: CommandOf<'set-service'>): Promise<void | CommandOutcome>;
  endSession(command: CommandOf<'end-session'>): Promise<void | CommandOutcome>;
  /** The cloud's answer to this kiosk's `kiosk-open-request`; a controller without it refuses the command `unsupported`. */
  kioskOpenResult?(command: CommandOf<'kiosk-open-result'>): Promise<void | CommandOutcome>;
  /** Door states and bus health for `reported`; without it doors are reported `unknown` from the desired door map. */
  snapshot?(): { doors: ReportedDoor[]; bus: Reported['bus'] };
}

export type LinkState = 'connecting' | 'online' | 'offline' | 'backoff';

export interface LinkStatus {
  state: LinkState;
  /** The broker node connected to, or being tried (or tried next, in backoff): one URL of `brokerUrl`. */
  broker: string;
  /** Failed connection attempts since the last success. */
  attempts: number;
  lastError: { message: string; code?: string | number; at: number } | undefined;
  connectedAt: number | undefined;
  nextRetryAt: number | undefined;
  /** Events not yet confirmed by the cloud. */
  outboxDepth: number;
  nextSeq: number;
  ackedUpTo: number;
  desiredVersion: number | null;
  clockOffsetMs: number | null;
}

export type LocalStateWhat = 'desired' | 'outbox' | 'seen-ids' | 'pending-commands';

export interface LinkEventMap {
  state: [LinkStatus];
  /** A command was answered (executed or rejected). */
  ack: [{ ack: Ack; command: Command | undefined }];
  /** A newer desired state was verified, stored and applied. */
  desired: [{ desired: Desired; hash: string }];
  'desired-rejected': [{ version: number; reason: string }];
  'local-state-reset': [{ what: LocalStateWhat; reason: string }];
  /** A payload that did not parse was dropped. */
  dropped: [{ channel: Channel; code: string; message: string }];
  evtack: [{ upTo: number; dropped: number }];
}

export interface ControllerLinkOptions {
  /**
   * mqtt://host:port or mqtts://... (broker-agnostic: the cloud's broker or a bank-local one), or the URLs of a
   * cluster's nodes separated by commas: tried in turn, the next one taken when a connect fails or the connection is
   * lost (read by the protocol's `parseBrokerUrls`; a bad entry throws).
   */
  brokerUrl: string;
  /** MQTT protocol version: 3.1.1 (default; the embedded broker and NATS speak only that) or 5. */
  mqttVersion?: MqttVersion;
  bankId: string;
  controllerId: string;
  secret: string;
  /** The provisioned cloud command key (PEM or KeyObject). */
  cloudPublicKey: KeyObject | string;
  /** Folder for commands.json + commands.log, outbox.json + outbox.log, desired.json. */
  dataDir: string;
  executor: CommandExecutor;
  firmware?: string;
  /** What the firmware understands beyond the first release, named in its birth (absent: nothing). */
  features?: readonly ControllerFeature[];
  bootId?: string;
  logger?: Logger;
  /** Local wall clock. */
  now?: () => number;
  monotonic?: () => number;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
  keepaliveS?: number;
  seenIds?: { cap?: number; marginMs?: number };
  /**
   * While online with unconfirmed events and no evtack progress for this long, publish the outbox again (default
   * 30 s): events can vanish in a broker restart or before the cloud resubscribed, and with no later event there is
   * no gap for the cloud to notice.
   */
  evtackTimeoutMs?: number;
  /**
   * Rejected desired states of one kind are reported to the cloud at most once per this window (default 60 s), the
   * later ones folded into one event with their count (rejection-fold.ts).
   */
  rejectionWindowMs?: number;
  /** Extra MQTT.js options (TLS ca...). Identity, protocol version, session and reconnect options are the link's. */
  mqtt?: Partial<IClientOptions>;
}

export class LinkError extends PortierError<'LINK_NOT_STARTED' | 'LINK_STOPPED'> {
  override name = 'LinkError';
}
