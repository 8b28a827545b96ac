import t from 'tap';
import { ROUTE_ACCESS } from '../../src/http/access.ts';
import { makeTestApp } from './helpers.ts';

t.test('the OpenAPI 3 document is served without a token and lists every route', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const res = await ta.app.inject({ url: '/api/v1/openapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  const doc = res.json<{
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[]; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
  }>();
  t.match(doc.openapi, /^3\./);
  for (const { method, url } of ta.app.apiRoutes) {
    if (url.endsWith('/openapi.json') || url.endsWith('/health')) continue;
    const path = url.replace(/:(\w+)/g, '{$1}');
    t.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} documented`);
  }
  const reserve = doc.paths['/api/v1/reservations']?.post;
  t.ok(reserve?.requestBody, 'request bodies come from the zod schemas');
  t.same(doc.paths['/api/v1/auth/login']?.post?.security, [], 'login needs no token');
  t.same(Object.keys(reserve?.responses ?? {}).sort(), ['201', '4XX', '5XX'], 'answers and the error format documented');
  t.same(Object.keys(doc.paths['/api/v1/activity']?.get?.responses?.['200']?.content ?? {}).sort(), ['application/json', 'text/csv']);
  // Remote open is one route of the API like the others: documented with its parameters, body and answers.
  const open = doc.paths['/api/v1/banks/{bankId}/lockers/{number}/open']?.post;
  t.ok(open, 'remote open documented');
  t.match(JSON.stringify(open?.requestBody), /"reason"/, 'its body (a reason)');
  t.match(JSON.stringify(open?.responses?.['200']), /"commandId".*"outcome".*"timed_out"/, 'its answer: the command id and the outcome');
  t.same(open?.security, undefined, 'it needs the bearer token (the document default)');
  const access = ROUTE_ACCESS['POST /api/v1/banks/:bankId/lockers/:number/open']?.access;
  t.same(access, 'lockers.open', "the access table: the remote-open permission (the predefined administrators' and operators')");
  t.match((open as { description?: string } | undefined)?.description, /^Operators and admins only\./, 'the document says the same');
  const one = JSON.stringify(doc.paths['/api/v1/reservations/{reservationId}']?.get?.responses?.['200']);
  t.match(one, /pickupCodeExpiresAt/);
  t.notMatch(one, /"pickupCode"|"hash"/, 'a reservation is documented without its code or any hash');
});

t.test('every operation of the document lists the permission its access-table entry asks for, and its schemas', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  type Op = { 'x-permission'?: string[]; description?: string; requestBody?: unknown; responses?: Record<string, { content?: Record<string, unknown> }> };
  const doc = (await ta.app.inject({ url: '/api/v1/openapi.json' })).json<{ paths: Record<string, Record<string, Op>> }>();
  let checked = 0;
  for (const { method, url } of ta.app.apiRoutes) {
    if (url.endsWith('/openapi.json') || url.endsWith('/health')) continue;
    const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    const access = ROUTE_ACCESS[`${method} ${url}`]!.access;
    const want = typeof access === 'string' ? [access] : [...access];
    t.same(op?.['x-permission'], want, `${method} ${url}: x-permission from the access table`);
    const sentence = want.length === 1 && !['public', 'signed-in', 'platform'].includes(want[0]!) ? `Required permission: \`${want[0]}\`.` : undefined;
    if (sentence) t.ok(op?.description?.endsWith(sentence), `${method} ${url}: its description says so`);
    else t.match(op?.description, /(Required permission: one of `[\w.]+`(, `[\w.]+`)+|Access: [^.]+)\.$/, `${method} ${url}: its description says so`);
    const ok = Object.entries(op?.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
    t.ok(ok.length > 0, `${method} ${url}: its answer documented`);
    checked++;
  }
  t.ok(checked > 50, `${checked} operations checked`);
  // Spot checks: the entry and the document say the same thing.
  t.same(doc.paths['/api/v1/activity']?.get?.['x-permission'], ['reports']);
  t.same(doc.paths['/api/v1/carriers']?.get?.['x-permission'], ['carriers', 'carrierCodes']);
  t.match(doc.paths['/api/v1/backup']?.get?.description, /platform administrators/);
  t.ok(doc.paths['/api/v1/roles']?.post?.requestBody, 'a body schema');
  const row = JSON.stringify(doc.paths['/api/v1/activity']?.get?.responses?.['200']?.content?.['application/json']);
  for (const field of ['recipientName', 'bankName', 'locationName', 'actorName', 'status', 'targetName', 'changesText']) t.match(row, `"${field}"`, `an activity row documents ${field}`);
});
