/**
 * Alerts of the event sequence policy (sync/event-sequence.ts: events lost from the cloud's journal, two events
 * under one seq, events ahead that the controller did not send) become activity alerts, like the locker alerts of
 * event-ingest.ts: durable, in the API and its CSV export, actor `system` = the controller. The seq range is in the
 * detail, not in the alert's `seq`: that field names one event whose alert it is (event-ingest looks alerts up by it
 * after a crash), and these are about the stream, not one event.
 */
import type { Logger } from 'pino';
import type { LockerService } from '../domain/service.ts';
import type { SequenceAlert } from '../sync/event-sequence.ts';

export interface SequenceAlertSource {
  on(event: 'sequence-alert', l: (a: SequenceAlert) => void): unknown;
  off(event: 'sequence-alert', l: (a: SequenceAlert) => void): unknown;
}

/** What one alert says in the activity log (at most 300 characters). */
export function sequenceAlertDetail(a: SequenceAlert): string {
  const seqs = a.fromSeq === a.toSeq ? `seq ${a.fromSeq}` : `seqs ${a.fromSeq}..${a.toSeq}`;
  const times = a.count > 1 ? ` (${a.count} times)` : '';
  return `${seqs}${times}: ${a.detail}`.slice(0, 300);
}

/** Records every sequence alert of `source` in the activity log; returns the unsubscribe. */
export function recordSequenceAlerts(opts: { source: SequenceAlertSource; service: Pick<LockerService, 'recordAlert' | 'store'>; logger: Logger }): () => void {
  const log = opts.logger.child({ module: 'sequence-alerts' });
  const onAlert = (a: SequenceAlert): void => {
    if (!opts.service.store.get('banks', a.bankId)) return;
    opts.service
      .recordAlert({ bankId: a.bankId, controllerId: a.controllerId, kind: a.kind, detail: sequenceAlertDetail(a) }, { role: 'system', id: a.controllerId })
      .catch((err: unknown) => log.error({ err, controllerId: a.controllerId, kind: a.kind }, 'could not record a sequence alert'));
  };
  opts.source.on('sequence-alert', onAlert);
  return () => opts.source.off('sequence-alert', onAlert);
}
