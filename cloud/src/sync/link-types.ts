/** What the cloud's MQTT link (cloud-link.ts) takes, tells and shows. */
import type { KeyObject } from 'node:crypto';
import type { Ack, Channel, ControllerFeature, MqttVersion, Reported } from '@portier/protocol';
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { CloudError } from '../errors.ts';
import type { ControllerDirectory } from '../mqtt/identities.ts';
import type { StoredEvent } from './event-journal.ts';
import type { EventLog } from './event-log.ts';
import type { DesiredVersions } from './desired-store.ts';
import type { BankOwner } from './bank-ownership.ts';
import type { SequenceAlert } from './event-sequence.ts';

export type SyncErrorCode = 'UNKNOWN_CONTROLLER' | 'NOT_STARTED' | 'PUBLISH_FAILED';

export class SyncError extends CloudError<SyncErrorCode> {
  override name = 'SyncError';
  constructor(code: SyncErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

/** What the cloud knows about one controller. */
export interface ControllerView {
  bankId: string;
  controllerId: string;
  /** Birth seen and no will / goodbye since (and the cloud's own link is connected). */
  online: boolean;
  /** Cloud time of the last message from it, null if none since the cloud started. */
  lastSeen: number | null;
  bootId: string | null;
  firmware: string | null;
  reported: Reported | null;
  /** The last desired state sent, and whether what the controller reports having applied differs from it. */
  desiredSent: { version: number; hash: string } | null;
  drift: boolean;
  /** Highest contiguous event seq durably stored. */
  eventsUpTo: number;
}

export interface DroppedMessage {
  topic: string;
  channel?: Channel;
  controllerId?: string;
  code: string;
  message: string;
}

export interface CloudLinkEvents {
  /** An event is durably stored (exactly once, in seq order per controller). The domain hook. */
  'event-stored': [StoredEvent];
  ack: [{ bankId: string; controllerId: string; ack: Ack }];
  /** A birth; `features`: the ones of this release it named (controller-tracks.ts). */
  'controller-online': [{ bankId: string; controllerId: string; bootId: string; firmware: string; features: ControllerFeature[] }];
  'controller-offline': [{ bankId: string; controllerId: string; reason: 'will' | 'shutdown' | 'reboot' }];
  reported: [{ bankId: string; controllerId: string; reported: Reported; drift: boolean }];
  gap: [{ bankId: string; controllerId: string; fromSeq: number; toSeq: number }];
  /** Two different events under one seq of a controller: both kept (event-sequence.ts). */
  'seq-conflict': [{ bankId: string; controllerId: string; seq: number }];
  /** A gap recorded, a conflict kept, or events ahead the controller did not send (event-sequence.ts), folded. */
  'sequence-alert': [SequenceAlert];
  dropped: [DroppedMessage];
  /** The link's own connection to the broker. */
  connection: [{ state: 'online' | 'offline'; error?: string }];
}

export interface CloudLinkOptions {
  url: string;
  username: string;
  password: string;
  /** Fixed client id of the cloud's persistent session (default `<username>`). */
  clientId?: string;
  signingKey: KeyObject;
  directory: ControllerDirectory;
  journal: EventLog;
  /** Folder for the last desired state of each controller (a file each), unless `desired` keeps them elsewhere. */
  desiredDir: string;
  /** Which banks this instance acts for (bank-ownership.ts); without it, every bank. */
  owner?: BankOwner;
  /** Where the last desired state of each controller is kept, when not in `desiredDir` (PostgreSQL). */
  desired?: DesiredVersions;
  logger?: Logger;
  /** Cloud time. */
  now?: () => number;
  /** Lifetime of commands the link sends on its own (resend-events). */
  commandTtlMs?: number;
  /** A gap is asked for again after this long if it is still open. */
  resendAfterMs?: number;
  /** Events kept per controller while they wait ahead of a gap (compared, never stored from there). */
  maxBuffered?: number;
  /** Sequence alerts of one kind for one controller are folded over this window (default 60 s). */
  alertWindowMs?: number;
  /**
   * The MQTT version spoken (default 3.1.1). In 5 the session is given an expiry (`SESSION_EXPIRY_S`): without one an
   * MQTT 5 broker ends it at disconnect, and what was published for the cloud while it was away would be lost.
   */
  version?: MqttVersion;
  /** Extra MQTT.js options (TLS ca...). */
  mqtt?: Partial<IClientOptions>;
}
