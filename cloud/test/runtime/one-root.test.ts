// The cloud has one composition root (runtime/cloud-runtime.ts `startCloud`): it wires the broker, the service account,
// the sync link and remote open end to end, and its one HTTP server serves every route the OpenAPI document names, and
// documents every route it serves.
import { parsePayload } from '@portier/protocol';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { provision } from '../../src/provision/provision.ts';
import type { CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { client, type Teardownable } from '../mqtt/helpers/env.ts';
import { seedBank, startTestCloud } from './helpers.ts';

const actor = { role: 'admin' as const, id: 'seed' };

function start(t: Teardownable): Promise<CloudRuntime> {
  return startTestCloud(t, { prefix: 'portier-root-', remoteOpenTimeoutMs: 2000 });
}

t.test('startCloud wires broker, service account, link and remote open end to end', async (t) => {
  const rt = await start(t);
  t.equal(rt.link.isConnected, true);
  const s = rt.service;
  await seedBank(s, 'bank-1', [{ id: 'c1', kind: 'kiosk', controllerId: 'col-1' }]);
  await s.createLocker({ bankId: 'bank-1', number: 12, columnId: 'c1', door: 2, size: 'S', bottomCm: 60, topCm: 90, loading: 'front' }, actor);
  const out = join(rt.dataDir, 'col-1.yaml');
  await provision({ dataDir: rt.dataDir, bankId: 'bank-1', controllerId: 'col-1', column: 1, brokerUrl: rt.mqttUrl, out, identities: rt.identities });
  const cfg = (parse(await readFile(out, 'utf8')) as { link: { secret: string; controllerId: string; brokerUrl: string } }).link;
  const c = await client(t, cfg.brokerUrl, { clientId: cfg.controllerId, username: cfg.controllerId, password: cfg.secret });
  await c.subscribeAsync('portier/v1/bank-1/col-1/cmd', { qos: 1 });
  c.on('message', (_topic, payload) => {
    const r = parsePayload('cmd', payload);
    if (r.ok && r.value.type === 'open-door') c.publish('portier/v1/bank-1/col-1/ack', JSON.stringify({ v: 1, commandId: r.value.id, status: 'opened', at: Date.now() }), { qos: 1 });
  });
  const r = await rt.remoteOpen.open({ bankId: 'bank-1', lockerNumber: 12, reason: 'demo', actor: { role: 'operator', id: 'op' } });
  t.equal(r.outcome, 'opened');
  const audit = await s.queryActivity({ type: 'remote-open' });
  t.same(
    audit.map((a) => a.detail),
    [`command ${r.commandId}: requested: demo`, `command ${r.commandId}: opened`],
    'requested, then finished, on record',
  );
  await rt.stop();
  await rt.stop();
});

t.test('every route the running cloud serves is in its OpenAPI document, and every documented route is served', async (t) => {
  const rt = await start(t);
  const doc = (await (await fetch(`${rt.httpUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
  // The two routes about the document and the server itself are hidden from it on purpose.
  const hidden = new Set(['GET /api/v1/openapi.json', 'GET /api/v1/health']);
  const served = rt.app.apiRoutes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
  t.ok(served.includes('POST /api/v1/banks/{bankId}/lockers/{number}/open'), 'remote open is one of the routes of the one server');
  t.same(
    served.filter((r) => !hidden.has(r) && !documented.has(r)),
    [],
    'served but not documented',
  );
  t.same(
    [...documented].filter((r) => !served.includes(r)),
    [],
    'documented but not served',
  );
  // Served for real, over TCP: a request to each route reaches it (no token: refused by the access layer, never an
  // unknown route).
  for (const r of served) {
    const [method, path] = r.split(' ') as [string, string];
    const res = await fetch(`${rt.httpUrl}${path.replace(/\{\w+\}/g, 'x1')}`, { method });
    const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { error?: { message?: string } }) : (await res.text(), {});
    t.notMatch(body.error?.message ?? '', /^no route /, `${r} is served`);
  }
});
