import t from 'tap';
import { once } from 'node:events';
import { PassThrough, Duplex } from 'node:stream';
import { startConsole } from '../../src/console/index.ts';
import { FakeBackend } from './fixtures/fake-backend.ts';
import { TEST_PIN, configFile, sampleConfig, writeConfig } from './fixtures/setup.ts';
import { expectCondition } from '@portier/sim';

/** Waits until `get()` holds `text` (bounded). */
function until(get: () => string, text: string): Promise<void> {
  return expectCondition(() => get().includes(text), 20_000, `the output to hold ${JSON.stringify(text)}`);
}

t.test('stdio through a pipe: no echo, commands answered, end of input ends the session', async (t) => {
  const doc = await sampleConfig(4);
  const cfg = writeConfig(doc);
  t.teardown(cfg.cleanup);
  const backend = new FakeBackend(configFile(cfg.path));
  const input = new PassThrough();
  let out = '';
  const output = { write: (s: string) => (out += s) };
  const running = startConsole({ input, output, backend, config: doc['console'] as never });
  input.write(`${TEST_PIN}\nopen 1\n`);
  await until(() => out, 'door 1: opened');
  t.notMatch(out, TEST_PIN);
  t.notMatch(out, 'open 1\r\n', 'a pipe gets no echo');
  input.end();
  await running.closed;
  t.notOk(running.session.signedIn);
  t.match(backend.actions().at(-1), { action: 'sign-out', ok: true });
});

t.test('a duplex stream (serial-like): echo on, CR LF line ends, close() detaches', async (t) => {
  const doc = await sampleConfig(4, { dumb: true });
  const cfg = writeConfig(doc);
  t.teardown(cfg.cleanup);
  const backend = new FakeBackend(configFile(cfg.path));
  let out = '';
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const running = startConsole({ stream, backend, config: doc['console'] as never, channel: 'serial:/dev/test' });
  stream.push(`${TEST_PIN}\r`);
  await until(() => out, 'portier> ');
  stream.push('status\r');
  await until(() => out, 'outbox');
  t.match(out, 'status\r\n', 'echoed with CR LF');
  t.notMatch(out, '\x1b', 'config says dumb');
  running.close();
  await running.closed;
  // Our own reader sees the line: it was delivered, and a console still attached would have had it in the same turn.
  const delivered = once(stream, 'data', { signal: AbortSignal.timeout(20_000) });
  stream.push('open 1\r');
  await delivered;
  await new Promise((r) => setImmediate(r));
  t.same(backend.calls, [], 'input after close is ignored');
  t.notMatch(out, 'open 1', 'and not echoed');
  t.match(backend.published.find((e) => e.type === 'console-action'), { actor: { id: 'serial:/dev/test' } });
});

t.test('a bad console section is refused at start', async (t) => {
  const backend = new FakeBackend({ read: async () => ({}), show: async () => ({ entries: [] }), set: async () => ({ ok: false, code: 'IO', message: 'x', problems: [] }) });
  t.throws(() => startConsole({ input: new PassThrough(), output: { write: () => true }, backend, config: { pinHash: 'nope' } as never }));
});
