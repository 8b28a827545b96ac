import t from 'tap';
import { MAX_ID_LENGTH, sessionClientId } from '../src/index.ts';

t.test('the client id of a session is its user name and a tag only its secret gives', async (t) => {
  const id = sessionClientId('col-a', 'secret-of-a-0123456789');
  t.match(id, /^col-a-[0-9a-f]{16}$/);
  t.equal(sessionClientId('col-a', 'secret-of-a-0123456789'), id, 'the same on every connect (the session persists)');
  t.not(sessionClientId('col-a', 'secret-of-b-0123456789'), id, 'another secret gives another id');
  t.not(sessionClientId('col-b', 'secret-of-a-0123456789').slice(-16), id.slice(-16), 'another user, another tag');
  t.ok(sessionClientId('x'.repeat(MAX_ID_LENGTH), 's').length <= 128, 'within the brokers\' client id bound');
});
