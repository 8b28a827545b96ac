/** A store that cannot write (a full disk): the API says what is wrong, and works again once it can write. */
import t from 'tap';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Change } from '../../src/store/store.ts';
import { makeTestApp } from './helpers.ts';

/** A memory store on a disk that fills up and is freed again, as the durable store behaves on one. */
class FullDiskStore extends MemoryStore {
  full = false;
  protected override persist(_change: Change): Promise<void> {
    if (!this.full) return Promise.resolve();
    const err = Object.assign(new Error('no space left on device: 12 of 180 bytes written'), { code: 'ENOSPC' });
    this.failure = err;
    return Promise.reject(err);
  }
  protected override async recover(): Promise<boolean> {
    if (this.full) return false;
    this.failure = undefined;
    return true;
  }
}

t.test('disk full: /health says so, a write (and sign-in) answers 503 with the cause, and all recover without a restart', async (t) => {
  const store = new FullDiskStore();
  const ta = await makeTestApp({ store });
  t.teardown(() => ta.app.close());
  const health = async () => ta.app.inject({ method: 'GET', url: '/api/v1/health' });
  t.equal((await health()).statusCode, 200);

  store.full = true;
  const contact = { name: 'Ann Lee' };
  const refused = await ta.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: ta.headers('admin'), payload: contact });
  t.equal(refused.statusCode, 503, 'the write is refused with 503, not a generic 500');
  t.match(refused.json(), { error: { code: 'STORE_FAILED', message: /could not be saved.*no space left on device/ } });
  const h = await health();
  t.equal(h.statusCode, 503);
  t.match(h.json(), { status: 'degraded', store: { writable: false, problem: /no space left on device/ } }, 'health names the problem');
  const login = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong-password-1' } });
  t.not(login.statusCode, 500, `sign-in does not answer a generic 500 (${login.statusCode} ${login.body})`);

  store.full = false;
  const again = await ta.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: ta.headers('admin'), payload: contact });
  t.equal(again.statusCode, 201, 'space freed: the same write succeeds, no restart');
  t.equal((await health()).statusCode, 200, 'and health is ok again');
});
