import t from 'tap';
import { allControllersFilter, CHANNELS, idSchema, parseTopic, topicFor, TopicError, tryParseTopic } from '../src/index.ts';

t.test('topics round-trip for every channel', async (t) => {
  for (const ch of CHANNELS) {
    const topic = topicFor('bank-1', 'col_2.a', ch);
    t.equal(topic, `portier/v1/bank-1/col_2.a/${ch}`);
    t.same(parseTopic(topic), { bankId: 'bank-1', controllerId: 'col_2.a', channel: ch });
  }
  t.equal(allControllersFilter('evt'), 'portier/v1/+/+/evt');
});

t.test('bad ids are refused when building a topic', async (t) => {
  for (const bad of ['', '+', '#', 'a/b', 'a+b', 'x#', 'x'.repeat(65), ' a', '-lead', 'é']) {
    t.throws(() => topicFor(bad, 'c', 'cmd'), TopicError, `bank id ${JSON.stringify(bad)}`);
    t.throws(() => topicFor('b', bad, 'cmd'), TopicError, `controller id ${JSON.stringify(bad)}`);
    t.notOk(idSchema.safeParse(bad).success, `id schema refuses ${JSON.stringify(bad)}`);
  }
  t.ok(idSchema.safeParse('x'.repeat(64)).success, '64 characters is fine');
});

t.test('topics with wildcards, wrong shape or unknown channels are rejected', async (t) => {
  const bad = [
    'portier/v1/+/c/cmd',
    'portier/v1/b/#',
    'portier/v1/b/+/cmd',
    'portier/v1/b/c/#',
    'portier/v1/b/c/+',
    'portier/v1/b/c/cmd/extra',
    'portier/v1/b/c',
    'portier/v2/b/c/cmd',
    'other/v1/b/c/cmd',
    'portier/v1/b/c/commands',
    'portier/v1//c/cmd',
    '/portier/v1/b/c/cmd',
    `portier/v1/${'b'.repeat(300)}/c/cmd`,
    '',
  ];
  for (const topic of bad) {
    t.throws(() => parseTopic(topic), TopicError, JSON.stringify(topic));
    t.equal(tryParseTopic(topic), undefined);
  }
});
