// The kiosk serves the whole bank: a door of another column (a desired door with `remote`, numbered as a kiosk-local
// alias) is never driven here. The kiosk records a `kiosk-open-request` event; the cloud checks it, opens the real door
// with a signed `open-door` to that column's controller, and answers with the signed command `kiosk-open-result`,
// which the link verifies like every command and hands to `onResult`. The wait is bounded: no answer in time is
// `unknown` (the cloud's own open expires before our wait ends, so the door does not open after we gave up). Offline,
// nothing is asked: a request queued in the outbox would reach the cloud long after the person left. Nor without the
// credential the person signed in with: the cloud opens a door only for a live credential of its own records that
// is entitled to that door and purpose, and refuses a request that names none.
import { randomUUID } from 'node:crypto';
import type { CommandOf, DesiredDoor, DoorOutcome, EventBody } from '@portier/protocol';
import { silentLogger, type Logger } from '../util/logger.ts';
import { systemTimers, type DesiredStatePort, type KioskDoorPort, type TimerHandle, type TimerPort, type UnlockRequest } from './ports.ts';

/** Default wait for the cloud's answer. */
export const REMOTE_OPEN_WAIT_MS = 8000;

export interface RemoteDoorsOptions {
  /** Where the request goes (the link's outbox, through the runtime so observers see it). */
  publishEvent(body: EventBody): Promise<unknown> | unknown;
  /** Whether the broker is reachable now. */
  isOnline(): boolean;
  waitMs?: number;
  /** Where the wait for the answer is timed (default the process's timers): a test passes its sinon clock. */
  timers?: TimerPort;
  newRequestId?: () => string;
  logger?: Logger;
}

/** What the link's executor answers for a `kiosk-open-result` (the link acks it with this). */
export interface KioskOpenResultAck {
  status: 'done';
  detail?: string;
}

interface Waiter {
  door: number;
  resolve: (o: DoorOutcome) => void;
  timer: TimerHandle;
}

export class RemoteDoors {
  private readonly waiters = new Map<string, Waiter>();
  private readonly log: Logger;

  constructor(private readonly opts: RemoteDoorsOptions) {
    this.log = (opts.logger ?? silentLogger).child({ module: 'kiosk-remote-doors' });
  }

  get pending(): number {
    return this.waiters.size;
  }

  /** Asks the cloud to open `door` (an alias door of the desired state) and waits, bounded, for what it did. */
  async open(door: DesiredDoor, request: UnlockRequest | undefined): Promise<DoorOutcome> {
    if (request?.credentialId === undefined) {
      this.log.warn({ door: door.door, locker: door.locker, purpose: request?.purpose }, 'no signed-in credential: a door of another column is not asked for');
      return 'unknown';
    }
    if (!this.opts.isOnline()) {
      this.log.info({ door: door.door, locker: door.locker }, 'offline: a door of another column is not asked for');
      return 'unknown';
    }
    const requestId = (this.opts.newRequestId ?? (() => `kor-${randomUUID()}`))();
    const answered = new Promise<DoorOutcome>((resolve) => {
      const timer = (this.opts.timers ?? systemTimers).setTimeout(() => {
        this.waiters.delete(requestId);
        this.log.warn({ requestId, door: door.door, locker: door.locker }, 'no answer from the cloud in time');
        resolve('unknown');
      }, this.opts.waitMs ?? REMOTE_OPEN_WAIT_MS);
      this.waiters.set(requestId, { door: door.door, resolve, timer });
    });
    try {
      await this.opts.publishEvent({
        type: 'kiosk-open-request',
        requestId,
        door: door.door,
        locker: door.locker,
        purpose: request.purpose,
        ...(request.credentialId !== undefined ? { credentialId: request.credentialId } : {}),
        ...(request.actor ? { actor: request.actor } : {}),
      });
    } catch (err) {
      this.log.error({ err, requestId }, 'could not record the open request');
      this.settle(requestId, 'unknown');
    }
    return answered;
  }

  /** The cloud's signed answer (already verified by the link). A late or unknown one changes nothing. */
  onResult(cmd: CommandOf<'kiosk-open-result'>): KioskOpenResultAck {
    const { requestId, door, outcome, reason } = cmd.body;
    const w = this.waiters.get(requestId);
    if (!w) {
      this.log.warn({ requestId, outcome }, 'kiosk-open-result for no waiting request (late or unknown)');
      return { status: 'done', detail: 'no request waiting' };
    }
    if (w.door !== door) {
      this.log.warn({ requestId, door, expected: w.door }, 'kiosk-open-result names another door; ignored');
      return { status: 'done', detail: 'door does not match the request' };
    }
    if (outcome === 'rejected') this.log.warn({ requestId, door, reason }, 'the cloud refused to open a door of another column');
    this.settle(requestId, outcome === 'rejected' ? 'unknown' : outcome);
    return { status: 'done' };
  }

  /** Ends every wait (`unknown`): the kiosk is stopping. */
  close(): void {
    for (const id of [...this.waiters.keys()]) this.settle(id, 'unknown');
  }

  private settle(requestId: string, outcome: DoorOutcome): void {
    const w = this.waiters.get(requestId);
    if (!w) return;
    this.waiters.delete(requestId);
    (this.opts.timers ?? systemTimers).clearTimeout(w.timer);
    w.resolve(outcome);
  }
}

/**
 * The kiosk's door port: its own doors through the door controller, the doors of other columns (`remote` in the
 * desired state in force) through the cloud.
 */
export function bankDoorPort(local: KioskDoorPort, remote: RemoteDoors, state: Pick<DesiredStatePort, 'current'>): KioskDoorPort {
  return {
    unlock(door, request) {
      const d = state.current()?.doors.find((x) => x.door === door);
      if (d?.remote) return remote.open(d, request);
      return local.unlock(door, request);
    },
    subscribe: (l) => local.subscribe(l),
  };
}
