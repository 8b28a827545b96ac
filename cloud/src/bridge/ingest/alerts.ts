/**
 * Locker alerts from controller events (door-forced, door-left-open, door-jammed, lock-fault): recorded in the activity
 * log (type `alert`, durable, in the API and its CSV export; actor `system` = the controller), logged, kept in memory
 * and handed to the caller. A forced door reports both `door-opened` (cause forced) and `door-forced`: one alert, on
 * the latter.
 */
import type { EventBody } from '@portier/protocol';
import type { Logger } from 'pino';
import type { StoredEvent } from '../../sync/event-journal.ts';
import type { DomainDoorMap } from '../door-map.ts';
import type { Alert, Applied, IngestDomain } from './types.ts';

/** The alert an event raises: its kind, door and words; none for an event that is no alert. */
export function alertOf(ev: EventBody): { kind: Alert['kind']; door: number | undefined; detail: string } | undefined {
  switch (ev.type) {
    case 'door-forced':
      return { kind: 'door-forced', door: ev.door, detail: 'door opened without an unlock' };
    case 'door-left-open':
      return { kind: 'door-left-open', door: ev.door, detail: `open for ${Math.round(ev.openForMs / 1000)} s` };
    case 'door-jammed':
      return { kind: 'door-jammed', door: ev.door, detail: ev.commandId ? `did not open for command ${ev.commandId}` : 'did not open' };
    case 'lock-fault':
      return { kind: 'lock-fault', door: ev.door, detail: `${ev.code}: ${ev.message}` };
    default:
      return undefined;
  }
}

export class AlertRecorder {
  private readonly ring: Alert[] = [];

  constructor(
    private readonly opts: { service: IngestDomain; doors: DomainDoorMap; log: Logger; maxAlerts: number; onAlert: (a: Alert) => void },
  ) {}

  /** Recent alerts, oldest first, optionally of one bank. */
  list(bankId?: string): Alert[] {
    return this.ring.filter((a) => bankId === undefined || a.bankId === bankId);
  }

  async record(e: StoredEvent, raised: NonNullable<ReturnType<typeof alertOf>>, out: Applied): Promise<void> {
    const { kind, door, detail } = raised;
    // A hardware report: a door of this controller's own board, never a kiosk alias of another column's door.
    const ref = door !== undefined ? this.opts.doors.lockerAt(e.controllerId, door, { physical: true }) : undefined;
    const a: Alert = {
      at: e.at,
      bankId: e.bankId,
      controllerId: e.controllerId,
      seq: e.seq,
      kind,
      detail,
      ...(door !== undefined ? { door } : {}),
      ...(ref ? { lockerNumber: ref.lockerNumber } : {}),
    };
    this.ring.push(a);
    if (this.ring.length > this.opts.maxAlerts) this.ring.splice(0, this.ring.length - this.opts.maxAlerts);
    this.opts.log.warn(a, 'locker alert');
    const svc = this.opts.service;
    if (svc.store.get('banks', e.bankId)) {
      await svc.recordAlert(
        { bankId: e.bankId, controllerId: e.controllerId, seq: e.seq, kind, detail: detail.slice(0, 300), ...(ref ? { lockerNumber: ref.lockerNumber } : {}) },
        { role: 'system', id: e.controllerId },
      );
    }
    out.actions.push(`alert ${kind}${ref ? ` locker ${ref.lockerNumber}` : ''}`);
    this.opts.onAlert(a);
  }
}
