import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.ts';
import { makeTestApp } from './helpers.ts';

t.test('an unexpected failure is a 500 with no detail; a store failure a 503; the log gets the detail', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  ta.service.addressBook.contacts.search = () => {
    throw new Error('boom in /srv/secret/path.ts:12 with password=hunter2');
  };
  const res = await ta.app.inject({ url: '/api/v1/contacts', headers: ta.headers('operator') });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { error: { code: 'INTERNAL', message: 'internal error' } });
  t.notMatch(res.body, /boom|secret|hunter2|\.ts:/);

  ta.service.addressBook.departments.list = () => {
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

/** Waits on an event, but never longer than 5 s. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for: ${what}`)), 5000);
    }),
  ]);
}

t.test('a request arriving while the server closes gets a 503 in the API error format', async (t) => {
  let closing!: () => void;
  const closingStarted = new Promise<void>((r) => (closing = r));
  let seen = 0;
  let second!: () => void;
  const secondArrived = new Promise<void>((r) => (second = r));
  const ta = await makeTestApp({
    extend: (app) => {
      app.addHook('preClose', async () => closing());
      // The API's own hooks refuse the request before any added onRequest hook runs: watch the answer instead.
      app.addHook('onSend', async () => {
        if (++seen === 1) second();
      });
    },
  });
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  ta.service.listCarriers = async () => {
    entered();
    await slow;
    return [];
  };
  await ta.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = ta.app.server.address() as AddressInfo;
  // One kept-alive connection: a first request is in flight when close() begins, a second follows on it.
  const socket = connect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  let raw = '';
  socket.on('data', (d) => (raw += d.toString()));
  const ended = new Promise<void>((r) => socket.on('close', () => r()));
  const req = `GET /api/v1/carriers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ta.tokens.operator}\r\n\r\n`;
  socket.write(req);
  await within(inFlight, 'first request in flight');
  const closed = ta.app.close();
  await within(closingStarted, 'close started');
  socket.write(req);
  await within(secondArrived, 'second request answered');
  release();
  await closed;
  await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
  const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  t.same(statuses, ['200', '503'], 'the in-flight request finishes, the next one is refused');
  t.match(raw, /\{"error":\{"code":"SHUTTING_DOWN","message":"the service is shutting down, try again shortly"\}\}/);
});
