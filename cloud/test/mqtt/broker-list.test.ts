// A broker given as the URLs of several nodes (a cluster): the client connects to the first that answers and, when
// the node it is on goes away, moves to the next by itself and goes on receiving what is published there.
import type { MqttClient } from 'mqtt';
import t from 'tap';
import { topicFor } from '@portier/protocol';
import { brokerServers, connectMqtt } from '../../src/mqtt/client.ts';
import { ConfigError, validateConfig } from '../../src/config/config.ts';
import { broker, client, registry } from './helpers/env.ts';
import { freePort } from './helpers/mosquitto.ts';

/** The next `connect` or message of the client, within 10 s (a refused node's error is not the end: it moves on). */
function next(c: MqttClient, event: 'connect' | 'message'): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off(event, on);
      reject(new Error(`no ${event} within 10 s`));
    }, 10_000);
    const on = (...args: unknown[]): void => {
      clearTimeout(timer);
      c.off(event, on);
      resolve(args);
    };
    c.on(event, on);
  });
}

t.test('several URLs: each node parsed, one URL left as it is', async (t) => {
  t.same(brokerServers('mqtt://a:1883'), { first: 'mqtt://a:1883' });
  t.same(brokerServers('mqtt://a:1883, mqtts://b,tls://[::1]:9000,ws://c:8080').servers, [
    { host: 'a', port: 1883, protocol: 'mqtt' },
    { host: 'b', port: 8883, protocol: 'mqtts' },
    { host: '::1', port: 9000, protocol: 'ssl' },
    { host: 'c', port: 8080, protocol: 'ws' },
  ]);
  t.throws(() => brokerServers('mqtt://a:1,http://b:2'), /entry 2 of 2 \("http:\/\/b:2"\) is not a broker URL/);
  const cfg = (url: string) => validateConfig({ dataDir: '/tmp/x', mqtt: { url } });
  t.ok(cfg('mqtt://a:1883,mqtt://b:1883').ok, 'the config takes a list');
  const bad = cfg('mqtt://a:1883,,mqtt://b');
  t.notOk(bad.ok);
  if (!bad.ok) t.match(new ConfigError(bad.problems).message, /mqtt\.url: entry 2 of 3 is empty; expected mqtt:\/\/host:port, or the URLs of several nodes separated by commas/);
  const v5 = validateConfig({ dataDir: '/tmp/x', mqtt: { url: 'mqtt://a:1883', version: '4' } });
  t.notOk(v5.ok);
  if (!v5.ok) t.match(new ConfigError(v5.problems).message, /mqtt\.version: expected "3\.1\.1" or "5"/);
  const embedded5 = validateConfig({ dataDir: '/tmp/x', mqtt: { version: '5' } });
  t.notOk(embedded5.ok, 'MQTT 5 on the embedded broker is refused');
  if (!embedded5.ok) t.match(new ConfigError(embedded5.problems).message, /mqtt\.version: MQTT 5 needs an external broker/);
  const ok5 = validateConfig({ dataDir: '/tmp/x', mqtt: { url: 'mqtt://a:1883', version: '5' } });
  t.ok(ok5.ok && ok5.config.mqtt.version === '5');
});

t.test('the node it is on goes away: the client moves to the next and receives there', async (t) => {
  const { reg } = await registry(t);
  const svc = await reg.createServiceAccount({ username: 'cloud' });
  const ctl = await reg.createController({ controllerId: 'col-a', bankId: 'bank-1', column: 1 });
  // A node that is down, then two that are up.
  const down = `mqtt://127.0.0.1:${await freePort()}`;
  const one = await broker(t, reg);
  const two = await broker(t, reg);
  const link = connectMqtt(`${down},${one.url},${two.url}`, { clientId: 'cloud', username: 'cloud', password: svc.secret, reconnectPeriod: 50, connectTimeout: 2000 });
  t.teardown(() => new Promise<void>((r) => link.end(true, {}, () => r())));
  await next(link, 'connect');
  const evt = topicFor('bank-1', 'col-a', 'evt');
  await link.subscribeAsync(evt, { qos: 1 });
  const onFirst = await client(t, one.url, { clientId: 'col-a', username: 'col-a', password: ctl.secret });
  const got = next(link, 'message');
  await onFirst.publishAsync(evt, 'on node one', { qos: 1 });
  t.equal(String((await got)[1]), 'on node one', 'connected past the node that is down');

  await one.close();
  await next(link, 'connect');
  await link.subscribeAsync(evt, { qos: 1 });
  const onSecond = await client(t, two.url, { clientId: 'col-a', username: 'col-a', password: ctl.secret });
  const again = next(link, 'message');
  await onSecond.publishAsync(evt, 'on node two', { qos: 1 });
  t.equal(String((await again)[1]), 'on node two', 'moved to the next node by itself');
});
