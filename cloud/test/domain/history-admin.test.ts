// Retention as an enterprise setting and erasure of one person's data from history, through the use cases, on the
// memory store and on the file store across a restart.
import t from 'tap';
import sinon from 'sinon';
import { DurableStore } from '../../src/store/durable.ts';
import { ERASED_NAME, LockerService } from '../../src/domain/service.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { tempDir } from '../store/helpers.ts';
import { admin, contact, operator, setup } from './helpers.ts';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const DAY = 24 * 3600_000;


for (const kind of ['memory', 'file'] as const) {
  t.test(`${kind} store: retention set on the enterprise hides older history; erasure unlinks a person and is audited`, async (t) => {
    const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
    t.teardown(() => clock.restore());
    const dir = await tempDir(t);
    let store: Store = kind === 'file' ? await DurableStore.open(dir) : new MemoryStore();
    t.teardown(() => store.close());
    let s = await setup({ store, lockers: [{}, {}], bank: { rules: { addToExistingLocker: false } } });
    await contact(s, 'ann');
    await contact(s, 'bob');
    for (let day = 0; day < 10; day++) {
      for (const who of ['ann', 'bob']) {
        const r = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: who }, size: 'S', note: `for ${who}` }, operator);
        await s.endReservation(r.reservation.id, { reason: 'cancelled' }, operator);
      }
      clock.tick(DAY);
    }
    t.equal((await s.queryActivity({ type: 'end' })).length, 20);

    const ent = await s.setHistoryRetention('ent', { historyRetentionDays: 3 }, admin);
    t.equal(ent.historyRetentionDays, 3, 'the setting is stored on the enterprise');
    const kept = await s.queryActivity({ type: 'end' });
    t.equal(kept.length, 6, 'only the last three days are answered');
    t.ok(kept.every((a) => a.at >= T0 + 7 * DAY), 'none older than three days');
    t.equal((await s.listReservations({ status: 'ended', limit: 100 })).length, 6, 'ended reservations too');
    await t.rejects(s.setHistoryRetention('ent', { historyRetentionDays: 0 }, admin), { code: 'VALIDATION' }, 'a retention under a day is refused');

    // An e-mail to ann (sent) and one to bob: erasing ann removes hers, with her address.
    const mail = (id: string, who: string) => ({ id, enterpriseId: 'ent', kind: 'parcel-ready' as const, to: { type: 'contact' as const, id: who }, address: `${who}@example.org`, language: 'en' as const, status: 'sent' as const, attempts: 1, createdAt: T0 });
    await store.commit({ put: [{ c: 'mailOutbox', key: 'm-ann', value: mail('m-ann', 'ann') }, { c: 'mailOutbox', key: 'm-bob', value: mail('m-bob', 'bob') }] });
    const erased = await s.erasePerson('ann', admin);
    t.same(store.list('mailOutbox').map((m) => m.id), ['m-bob'], "the e-mail records of the erased person are gone, not others'");
    t.match(erased, { contact: { id: 'ann', firstName: '', lastName: ERASED_NAME } });
    // At least the three reservations in retention and their reservation + end entries; the file store also unlinks
    // older ones it still holds on disk until their segment is wholly out of retention.
    t.ok(erased.ended >= 3 && erased.activity >= 6, `counted ${erased.ended} and ${erased.activity}`);
    t.notOk('email' in erased.contact, 'contact details gone');
    const stored = await s.getContact('ann');
    t.equal(stored.lastName, ERASED_NAME, 'the name is replaced in the contact record');
    t.same(await s.queryActivity({ recipientId: 'ann' }), [], 'no activity links the person');
    t.equal((await s.queryActivity({ recipientId: erased.replacementId, type: 'end' })).length, 3, 'their events are kept');
    const audit = await s.queryActivity({ type: 'erasure' });
    t.match(audit, [{ actor: admin, enterpriseId: 'ent', recipientId: erased.replacementId, detail: `personal data erased: ${erased.ended} ended reservations and ${erased.activity} activity entries unlinked, 1 e-mail records removed` }], 'recorded in the activity of the person’s enterprise');
    t.notOk(JSON.stringify(await s.listReservations({ status: 'ended', limit: 100 })).includes('for ann'), 'their notes are gone');
    await t.rejects(s.erasePerson('ann', admin), { code: 'CONFLICT' }, 'erased once');

    if (kind === 'file') {
      store = await (async () => {
        await store.close();
        return DurableStore.open(dir);
      })();
      s = new LockerService({ store, codeHashN: 1024 });
      await s.applyRetention();
      t.equal((await s.queryActivity({ type: 'end' })).length, 6, 'retention holds after a restart');
      t.same(await s.queryActivity({ recipientId: 'ann' }), [], 'and the erasure');
      t.equal((await s.getContact('ann')).lastName, ERASED_NAME);
    }
    await s.setHistoryRetention('ent', { historyRetentionDays: null }, admin);
    t.equal((await s.listEnterprises())[0]?.historyRetentionDays, undefined, 'for ever again');
  });
}
