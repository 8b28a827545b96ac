import t from 'tap';
import { DomainError } from '../../src/domain/errors.ts';
import { makeTestApp } from './helpers.ts';

t.test('an unexpected failure is a 500 with no detail; a store failure a 503; the log gets the detail', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  ta.service.listContacts = async () => {
    throw new Error('boom in /srv/secret/path.ts:12 with password=hunter2');
  };
  const res = await ta.app.inject({ url: '/api/v1/contacts', headers: ta.headers('operator') });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { error: { code: 'INTERNAL', message: 'internal error' } });
  t.notMatch(res.body, /boom|secret|hunter2|\.ts:/);

  ta.service.listDepartments = async () => {
    throw new DomainError('STORE_FAILED', 'the change could not be saved: EIO');
  };
  const store = await ta.app.inject({ url: '/api/v1/departments', headers: ta.headers('operator') });
  t.equal(store.statusCode, 503);
  t.equal(store.json<{ error: { code: string } }>().error.code, 'STORE_FAILED');
});

t.test('domain codes map to statuses in one place', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const cases: [DomainError, number][] = [
    [new DomainError('NOT_FOUND', 'contact "x" not found', 'contactId'), 404],
    [new DomainError('CONFLICT', 'exists', 'id'), 409],
    [new DomainError('INVALID_STATE', 'ended', 'reservationId'), 409],
    [new DomainError('VALIDATION', 'minutes: past the maximum', 'minutes'), 422],
    [new DomainError('INVALID_CODE', 'code not recognised', 'code'), 403],
  ];
  for (const [err, status] of cases) {
    ta.service.listCarriers = async () => {
      throw err;
    };
    const res = await ta.app.inject({ url: '/api/v1/carriers', headers: ta.headers('admin') });
    t.equal(res.statusCode, status, err.code);
    t.same(res.json(), { error: { code: err.code, message: err.message, field: err.field } }, 'a GET names the domain field as is');
  }
});
