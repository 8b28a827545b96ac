// The one id pattern and the one door outcome of the platform.
import t from 'tap';
import { ACK_STATUSES, DOOR_OUTCOMES, ID_PATTERN, KIOSK_OPEN_OUTCOMES, doorIsOpen, idSchema, isId } from '../src/index.ts';

t.test('an id is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit; the schema and the pattern agree', async (t) => {
  const good = ['a', 'bank-1', 'col_2.b', '9', 'x'.repeat(64)];
  const bad = ['', '-a', '.a', '_a', 'a/b', 'a+b', 'a#b', 'a b', 'é', 'x'.repeat(65)];
  for (const id of good) {
    t.ok(isId(id) && ID_PATTERN.test(id), `${id.slice(0, 10)} is an id`);
    t.ok(idSchema.safeParse(id).success);
  }
  for (const id of bad) {
    t.notOk(isId(id), `${JSON.stringify(id.slice(0, 10))} is not`);
    t.notOk(idSchema.safeParse(id).success);
  }
  t.notOk(isId(7));
  t.match(idSchema.safeParse('').error?.issues[0]?.message, /must not be empty/);
});

t.test('the door outcome is what an open-door ack and a kiosk open result may say about a door', async (t) => {
  t.same(DOOR_OUTCOMES, ['opened', 'already_open', 'jammed', 'unknown']);
  for (const o of DOOR_OUTCOMES) {
    t.ok((ACK_STATUSES as readonly string[]).includes(o));
    t.ok((KIOSK_OPEN_OUTCOMES as readonly string[]).includes(o));
  }
  t.same(DOOR_OUTCOMES.filter(doorIsOpen), ['opened', 'already_open'], 'open for the person: opened now or already open');
});
