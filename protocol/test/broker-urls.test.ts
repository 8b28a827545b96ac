// The one reading of a broker setting: one URL, or a cluster's nodes separated by commas, each entry checked and the
// wrong one named; and the MQTT version setting with what a persistent session needs in each version.
import t from 'tap';
import { BrokerUrlError, brokerUrlsSchema, isRefusalCode, mqttVersionSchema, parseBrokerUrls, persistentSessionOptions, refusedFilters, SESSION_EXPIRY_S } from '../src/index.ts';

t.test('good settings: each node with its host and port (the scheme default when none is written)', async (t) => {
  t.same(parseBrokerUrls('mqtt://a:1883'), [{ url: 'mqtt://a:1883', scheme: 'mqtt', host: 'a', port: 1883 }]);
  t.same(
    parseBrokerUrls('mqtt://a, mqtts://b ,tls://[::1]:9000,tcp://10.0.0.2:1884,ws://c:8080/mqtt,wss://d').map((n) => [n.url, n.scheme, n.host, n.port]),
    [
      ['mqtt://a', 'mqtt', 'a', 1883],
      ['mqtts://b', 'mqtts', 'b', 8883],
      ['tls://[::1]:9000', 'tls', '::1', 9000],
      ['tcp://10.0.0.2:1884', 'tcp', '10.0.0.2', 1884],
      ['ws://c:8080/mqtt', 'ws', 'c', 8080],
      ['wss://d', 'wss', 'd', 443],
    ],
    'in the order written, spaces around entries dropped',
  );
  t.same(parseBrokerUrls('MQTT://Broker.example:1883')[0]?.scheme, 'mqtt', 'the scheme in any case');
  t.ok(brokerUrlsSchema.safeParse('mqtt://a:1,mqtt://b:2').success);
  t.equal(brokerUrlsSchema.parse('mqtt://a:1, mqtt://b:2'), 'mqtt://a:1, mqtt://b:2', 'the schema keeps the setting as written');
});

t.test('each kind of bad entry is refused, naming the entry and what is wrong', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['', /^the broker URL is empty/],
    ['mqtt://a:1,,mqtt://b:2', /^entry 2 of 3 is empty/],
    ['mqtt://a:1,', /^entry 2 of 2 is empty/],
    ['mqtt://a:1,http://b:2', /^entry 2 of 2 \("http:\/\/b:2"\) is not a broker URL \(mqtt, mqtts, tcp, tls, ws, wss\)/],
    ['broker.example:1883', /^"broker\.example:1883" is not a URL/],
    ['mqtt://a b:1', /is not a URL/],
    ['mqtt://:1883', /^"mqtt:\/\/:1883" has no host/],
    ['mqtt://a:1,mqtt://b:0', /^entry 2 of 2 \("mqtt:\/\/b:0"\) has port "0": expected 1 to 65535/],
    ['mqtt://b:65536', /has port "65536": expected 1 to 65535/],
    ['mqtt://b:http', /has port "http"/],
    ['mqtt://a:1,mqtt://bad!host:2', /^entry 2 of 2 .* has host "bad!host": expected a host name/],
  ];
  for (const [setting, re] of bad) {
    t.throws(() => parseBrokerUrls(setting), re, JSON.stringify(setting));
    const r = brokerUrlsSchema.safeParse(setting);
    t.match(r.error?.issues[0]?.message, re, `${JSON.stringify(setting)} by the schema too`);
  }
  t.throws(() => parseBrokerUrls('tcp://x'.replace('x', '')), BrokerUrlError);
});

t.test('a URL with credentials is refused without showing them', async (t) => {
  const err = t.throws(() => parseBrokerUrls('mqtt://a:1,mqtts://col-1:hunter2secret@b:8883')) as Error;
  t.match(err.message, /^entry 2 of 2 \("mqtts:\/\/\*\*\*@b:8883"\) must not carry a user name or password/);
  t.notMatch(err.message, /hunter2secret|col-1/, 'the password never appears in the message');
  t.equal((err as BrokerUrlError).code, 'BAD_BROKER_URL');
});

t.test('the MQTT version: 3.1.1 or 5 (a bare 5 too); a persistent session in 5 carries its expiry', async (t) => {
  t.equal(mqttVersionSchema.parse('3.1.1'), '3.1.1');
  t.equal(mqttVersionSchema.parse('5'), '5');
  t.equal(mqttVersionSchema.parse(5), '5', 'YAML `mqttVersion: 5` is a number');
  for (const v of ['4', 3.1, '3.1', 'v5', null]) t.match(mqttVersionSchema.safeParse(v).error?.issues[0]?.message, /expected "3\.1\.1" or "5"/, String(v));
  t.same(persistentSessionOptions('3.1.1'), { protocolVersion: 4, clean: false });
  t.same(persistentSessionOptions('5'), { protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: SESSION_EXPIRY_S } });
  t.ok(SESSION_EXPIRY_S >= 24 * 3600, 'a session outlives a day offline');
  t.same([0, 1, 2, 0x10, 0x80, 0x87, 0x97].map(isRefusalCode), [false, false, false, false, true, true, true]);
  t.same(refusedFilters(['a/cmd', 'a/evtack', 'a/desired'], [1, 0x80, 0x87]), [{ filter: 'a/evtack', code: 0x80 }, { filter: 'a/desired', code: 0x87 }], 'the refused filters named with their codes');
  t.same(refusedFilters(['a/cmd'], undefined), [], 'no SUBACK: nothing named refused');
});
