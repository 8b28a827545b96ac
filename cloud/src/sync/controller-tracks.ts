/**
 * What the cloud's link knows of each controller: online (birth / will), last seen, boot and firmware, the last
 * reported state, and whether what it reports having applied differs from the desired state sent (drift). Its doors
 * are shown as `unknown` while it is offline.
 */
import { featuresUsedBy, type ControllerFeature, type DesiredState, type ReportedDoor } from '@portier/protocol';
import type { ControllerDirectory } from '../mqtt/identities.ts';
import type { ControllerView } from './link-types.ts';

/** A controller as the link tracks it: the fields of its view that come from its own messages. */
export interface Track extends Pick<ControllerView, 'bankId' | 'controllerId' | 'online' | 'lastSeen' | 'bootId' | 'firmware' | 'reported'> {
  evtackScheduled: boolean;
  /** The known features of its latest birth; null while no birth was seen since the cloud started. */
  features: ControllerFeature[] | null;
}

export class ControllerTracks {
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly opts: {
      directory: ControllerDirectory;
      /** The desired state last sent to a controller: its version and hash (and the state, when the link has it). */
      sent: (controllerId: string) => { version: number; hash: string; state?: DesiredState } | undefined;
      /** Highest contiguous event seq of a controller durably stored. */
      storedUpTo: (controllerId: string) => number;
    },
  ) {}

  get(controllerId: string): Track | undefined {
    return this.tracks.get(controllerId);
  }

  /** The controller's track, made on its first message. */
  of(bankId: string, controllerId: string): Track {
    let t = this.tracks.get(controllerId);
    if (!t) {
      t = { bankId, controllerId, online: false, lastSeen: null, bootId: null, firmware: null, reported: null, evtackScheduled: false, features: null };
      this.tracks.set(controllerId, t);
    }
    return t;
  }

  /**
   * The features a controller's desired state may use: those of its latest birth. Before its birth reaches a cloud
   * that restarted (an offline controller's retained status is its will, which names none), those the state last sent
   * to it used: it had announced them, so a restart neither takes a field away from it nor sends one it never named.
   */
  featuresOf(controllerId: string): ControllerFeature[] {
    const t = this.tracks.get(controllerId);
    if (t?.features) return [...t.features];
    const state = this.opts.sent(controllerId)?.state;
    return state ? featuresUsedBy(state) : [];
  }

  driftOf(t: Track): boolean {
    const sent = this.opts.sent(t.controllerId);
    if (!sent || !t.reported) return false;
    return t.reported.desiredVersion !== sent.version || t.reported.desiredHash !== sent.hash;
  }

  /** `linkUp`: the cloud's own link is connected (a controller is never online for a cloud cut off from the broker). */
  view(controllerId: string, linkUp: boolean): ControllerView | undefined {
    const id = this.opts.directory.controller(controllerId);
    const t = this.tracks.get(controllerId);
    if (!id && !t) return undefined;
    const sent = this.opts.sent(controllerId);
    return {
      bankId: t?.bankId ?? id!.bankId,
      controllerId,
      online: (t?.online ?? false) && linkUp,
      lastSeen: t?.lastSeen ?? null,
      bootId: t?.bootId ?? null,
      firmware: t?.firmware ?? null,
      reported: t?.reported ?? null,
      desiredSent: sent ? { version: sent.version, hash: sent.hash } : null,
      drift: t ? this.driftOf(t) : false,
      eventsUpTo: this.opts.storedUpTo(controllerId),
    };
  }

  doorState(controllerId: string, door: number, linkUp: boolean): 'open' | 'closed' | 'unknown' {
    return this.doorStates(controllerId, linkUp).find((d) => d.door === door)?.state ?? 'unknown';
  }

  doorStates(controllerId: string, linkUp: boolean): ReportedDoor[] {
    const v = this.view(controllerId, linkUp);
    const doors = v?.reported?.doors ?? [];
    if (v?.online) return doors.map((d) => ({ ...d }));
    return doors.map((d) => ({ ...d, state: 'unknown' as const, itemPresent: null }));
  }
}
