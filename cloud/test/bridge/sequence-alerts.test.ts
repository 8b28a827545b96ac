import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import t from 'tap';
import { recordSequenceAlerts } from '../../src/bridge/sequence-alerts.ts';
import type { SequenceAlert } from '../../src/sync/event-sequence.ts';
import { bankModel } from './helpers.ts';

t.test('sequence alerts are activity alerts naming the controller and the seqs; unknown banks are skipped', async (t) => {
  const service = await bankModel();
  const source = new EventEmitter<{ 'sequence-alert': [SequenceAlert] }>();
  const stop = recordSequenceAlerts({ source, service, logger: pino({ level: 'silent' }) });
  source.emit('sequence-alert', { bankId: 'b1', controllerId: 'ctl-2', kind: 'event-gap', fromSeq: 7, toSeq: 10, count: 1, detail: 'events 7..10 are lost' });
  source.emit('sequence-alert', { bankId: 'b1', controllerId: 'ctl-2', kind: 'event-conflict', fromSeq: 9, toSeq: 12, count: 4, detail: 'two different events under one seq' });
  source.emit('sequence-alert', { bankId: 'nope', controllerId: 'ctl-9', kind: 'event-ahead', fromSeq: 1, toSeq: 1, count: 1, detail: 'x' });
  stop();
  source.emit('sequence-alert', { bankId: 'b1', controllerId: 'ctl-2', kind: 'event-ahead', fromSeq: 1, toSeq: 1, count: 1, detail: 'after stop' });
  await new Promise((r) => setImmediate(r));
  const alerts = (await service.store.queryActivity({ type: 'alert', bankId: 'b1', limit: 100 })).items;
  t.same(
    alerts.map((a) => [a.actor, a.detail]),
    [
      [{ role: 'system', id: 'ctl-2' }, 'event-gap: seqs 7..10: events 7..10 are lost (controller ctl-2)'],
      [{ role: 'system', id: 'ctl-2' }, 'event-conflict: seqs 9..12 (4 times): two different events under one seq (controller ctl-2)'],
    ],
  );
});
