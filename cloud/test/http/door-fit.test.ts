/** A new locker's door must be tall enough for its compartment: the bank configuration refuses a door that cannot hold its size. */
import t from 'tap';
import { makeTestApp, seedModel, storeSnapshot } from './helpers.ts';

interface ErrorReply {
  error: { code: string; message: string; field?: string };
}

const xl = { bankId: 'bank', number: 7, columnId: 'col', door: 7, size: 'XL', bottomCm: 0, topCm: 10, loading: 'front' };

t.test('POST /lockers: an XL locker at 0..10 cm is refused naming topCm; the same locker at 0..70 cm is created', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const before = await storeSnapshot(ta.store);

  const refused = await ta.app.inject({ method: 'POST', url: '/api/v1/lockers', headers: ta.headers('admin'), payload: xl });
  t.equal(refused.statusCode, 400);
  const err = refused.json<ErrorReply>().error;
  t.equal(err.field, 'body.topCm', 'the field named is topCm of the body');
  t.match(err.message, /topCm/, 'the message names topCm');
  t.match(err.message, /10 cm tall/, 'and the height of the door');
  t.match(err.message, /size XL compartment \(64 cm high inside\)/, 'and the height it must hold');
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');

  const created = await ta.app.inject({ method: 'POST', url: '/api/v1/lockers', headers: ta.headers('admin'), payload: { ...xl, topCm: 70 } });
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json(), { locker: { number: 7, size: 'XL', bottomCm: 0, topCm: 70 } });
});

t.test('the bulk route and custom sizes: the compartment is the one the locker describes', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const custom = { ...xl, size: 'custom', dimensions: { widthCm: 40, heightCm: 30, depthCm: 50 }, bottomCm: 100, topCm: 125 };

  const refused = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/lockers/batch',
    headers: ta.headers('admin'),
    payload: { lockers: [{ ...xl, topCm: 70 }, { ...custom, number: 8, door: 8 }] },
  });
  t.equal(refused.statusCode, 400);
  const err = refused.json<ErrorReply>().error;
  t.equal(err.field, 'body.lockers.1.topCm', 'the second locker of the batch is named');
  t.match(err.message, /25 cm tall, shorter than its compartment \(30 cm high inside\)/);
  t.equal((await ta.service.listLockers('bank')).length, 6, 'the batch is refused whole');

  const ok = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/lockers/batch',
    headers: ta.headers('admin'),
    payload: { lockers: [{ ...xl, topCm: 70 }, { ...custom, number: 8, door: 8, topCm: 130 }] },
  });
  t.equal(ok.statusCode, 201, ok.body);
  t.equal((await ta.service.listLockers('bank')).length, 8);
});
