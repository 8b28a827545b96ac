// The console in process: the accounts app (enterprise `ent`, administrator `admin`) with a bank of lockers, and the
// session cookie of a signed-in user for requests made with inject.
import type { LightMyRequestResponse } from 'fastify';
import { accountsApp, type AccountsApp } from '../pages/helpers.ts';
import { PASSWORD } from '../http/helpers.ts';
import type { SftpRunner } from '../../src/sftp/runner.ts';

export { PASSWORD };
const seed = { role: 'admin' as const, id: 'seed' };

export interface ConsoleApp extends AccountsApp {
  /** The cookie header of a session of `username` (PASSWORD). */
  cookieOf(username: string): Promise<string>;
  /** A console request as `cookie` (a post's fields form-encoded, with the page's anti-forgery token unless `csrf` is given). */
  request(cookie: string, method: 'GET' | 'POST', url: string, fields?: Record<string, string>, o?: { csrf?: string; htmx?: boolean }): Promise<LightMyRequestResponse>;
  /** The anti-forgery token a page served to `cookie` carries. */
  csrfOf(cookie: string): Promise<string>;
  /** A JSON request to the API, as the administrator unless `headers` say otherwise: its status, JSON (when it is JSON) and text. */
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Json; body: string }>;
  /** A form post as `cookie` with its fields in order (a field may repeat), with the page's anti-forgery token unless `csrf` is given. */
  post(cookie: string, url: string, fields: ReadonlyArray<readonly [string, string]> | Record<string, string>, csrf?: string): Promise<LightMyRequestResponse>;
}

/** A JSON answer as the tests read it. */
export type Json = Record<string, unknown>;

/**
 * Division `div`, locations `loc` (bank `lobby`: two columns, `lockers` lockers, the first three doors of column 1 low
 * enough to be accessible) and `loc2` (bank `annex`, one column, 2 lockers).
 */
export async function consoleApp(t: { teardown(fn: () => unknown): void }, o: { lockers?: number; sftp?: Pick<SftpRunner, 'run'> } = {}): Promise<ConsoleApp> {
  const a = await accountsApp(t, o.sftp ? { sftp: o.sftp } : {});
  const s = a.service;
  await s.createDivision({ id: 'div', enterpriseId: 'ent', name: 'HQ' }, seed);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Main' }, seed);
  await s.createLocation({ id: 'loc2', divisionId: 'div', name: 'Annex' }, seed);
  await s.createBank({ id: 'lobby', locationId: 'loc', name: 'Lobby' }, seed);
  await s.createBank({ id: 'annex', locationId: 'loc2', name: 'Annex bank' }, seed);
  await s.createColumn({ id: 'c1', bankId: 'lobby', position: 1, kind: 'kiosk', controllerId: 'ctl-1' }, seed);
  await s.createColumn({ id: 'c2', bankId: 'lobby', position: 2, kind: 'plain', controllerId: 'ctl-2' }, seed);
  await s.createColumn({ id: 'a1', bankId: 'annex', position: 1, kind: 'plain', controllerId: 'ctl-9' }, seed);
  const n = o.lockers ?? 8;
  const half = Math.ceil(n / 2);
  const lockers = Array.from({ length: n }, (_, i) => {
    const col = i < half ? 'c1' : 'c2';
    const slot = i < half ? i : i - half;
    return { bankId: 'lobby', number: i + 1, columnId: col, door: slot + 1, size: 'S' as const, bottomCm: 20 + (slot % 8) * 20, topCm: 38 + (slot % 8) * 20, loading: 'front' as const };
  });
  for (let i = 0; i < lockers.length; i += 500) await s.createLockers(lockers.slice(i, i + 500), seed);
  await s.createLockers([1, 2].map((k) => ({ bankId: 'annex', number: k, columnId: 'a1', door: k, size: 'M' as const, bottomCm: 40 * k, topCm: 40 * k + 35, loading: 'front' as const })), seed);

  const cookieOf = async (username: string) => `portier_session=${(await a.auth.login(username, PASSWORD, '127.0.0.1')).token}`;
  const csrfOf = async (cookie: string) => {
    const r = await a.app.inject({ method: 'GET', url: '/console/lockers', headers: { cookie } });
    const m = /name="csrf" value="([^"]+)"/.exec(r.body);
    if (!m) throw new Error(`no anti-forgery token on the page (status ${r.statusCode})`);
    return m[1]!;
  };
  const request: ConsoleApp['request'] = async (cookie, method, url, fields, ro = {}) => {
    const body = method === 'POST' ? new URLSearchParams({ ...(ro.csrf !== '' ? { csrf: ro.csrf ?? (await csrfOf(cookie)) } : {}), ...fields }).toString() : undefined;
    return a.app.inject({
      method,
      url,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(ro.htmx ? { 'hx-request': 'true' } : {}) },
      ...(body !== undefined ? { payload: body } : {}),
    });
  };
  const api: ConsoleApp['api'] = async (method, url, payload, headers = a.admin) => {
    const r = await a.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload !== undefined ? { payload: payload as Json } : {}) });
    const json = r.headers['content-type']?.toString().startsWith('application/json') && r.body ? (JSON.parse(r.body) as Json) : {};
    return { status: r.statusCode, json, body: r.body };
  };
  const post: ConsoleApp['post'] = async (cookie, url, fields, csrf) => {
    const pairs = Array.isArray(fields) ? (fields as ReadonlyArray<readonly [string, string]>) : Object.entries(fields);
    const body = new URLSearchParams([['csrf', csrf ?? (await csrfOf(cookie))], ...pairs.map(([k, v]) => [k, v] as [string, string])]);
    return a.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
  };
  return { ...a, cookieOf, request, csrfOf, api, post };
}
