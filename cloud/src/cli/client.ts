/**
 * What every `portier` command shares: its I/O, the API client (token from `PORTIER_TOKEN` or the token file of
 * `portier login`), table output and the context a command group (commands/*.ts) is registered with.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_URL } from './defaults.ts';
import { CliError } from './errors.ts';

export interface AdminIo {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whole stdin, for `--password-stdin`. */
  readStdin: () => Promise<string>;
  fetch: typeof fetch;
}

// Apart, so `portier-cloud`'s help names it without loading this module.
export { DEFAULT_URL };
const TokenFileSchema = z.object({ url: z.string(), token: z.string(), expiresAt: z.string().optional() });
type TokenFile = z.infer<typeof TokenFileSchema>;
const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });


export function tokenFilePath(io: Pick<AdminIo, 'env'>, flag?: string): string {
  return flag ?? io.env.PORTIER_TOKEN_FILE ?? join(io.env.HOME ?? homedir(), '.config', 'portier', 'token.json');
}

export async function readTokenFile(path: string): Promise<TokenFile | undefined> {
  try {
    const r = TokenFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export interface GlobalOpts {
  url?: string;
  tokenFile?: string;
  json?: boolean;
}

export class Client {
  constructor(
    private readonly io: AdminIo,
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}

  async call(method: string, path: string, body?: unknown, accept = 'application/json', raw?: { contentType: string; body: string | Uint8Array; pass?: number[] }): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.contentType;
    let res: Response;
    try {
      res = await this.io.fetch(`${this.url.replace(/\/+$/, '')}/api/v1${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : raw ? { body: raw.body } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new CliError('FAILED', `cannot reach ${this.url}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    if (res.status >= 400 && !raw?.pass?.includes(res.status)) {
      let detail = `HTTP ${res.status}`;
      try {
        const e = ErrorBodySchema.parse(JSON.parse(text)).error;
        detail = `${e.code}: ${e.message}${e.field ? ` (${e.field})` : ''}`;
      } catch {
        /* not our error format: keep the status */
      }
      if (res.status === 401) detail += ' (run `portier login`)';
      throw new CliError('FAILED', detail);
    }
    return { status: res.status, text };
  }

  /** The answer's bytes (an image), checked like `call`. */
  async bytes(path: string, accept: string): Promise<Buffer> {
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.io.fetch(`${this.url.replace(/\/+$/, '')}/api/v1${path}`, { headers, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new CliError('FAILED', `cannot reach ${this.url}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status >= 400) {
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        /* not our error format: keep the status */
      }
      const e = ErrorBodySchema.safeParse(body);
      throw new CliError('FAILED', e.success ? `${e.data.error.code}: ${e.data.error.message}${e.data.error.field ? ` (${e.data.error.field})` : ''}` : `HTTP ${res.status}`);
    }
    return bytes;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call(method, path, body);
    return (r.text ? JSON.parse(r.text) : {}) as T;
  }
}

export async function clientFor(io: AdminIo, g: GlobalOpts): Promise<Client> {
  const file = await readTokenFile(tokenFilePath(io, g.tokenFile));
  const url = g.url ?? io.env.PORTIER_URL ?? file?.url ?? DEFAULT_URL;
  const token = io.env.PORTIER_TOKEN ?? (file && (!g.url || g.url === file.url) ? file.token : undefined);
  return new Client(io, url, token);
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n') + '\n';
}

export interface LockerViewLike {
  locker: { number: number; size: string; service: string; bottomCm: number; topCm: number };
  status: string;
  accessible: boolean;
  contents?: { reservationId: string; kind: string; recipient: { type: string; id: string }; trackingIds: string[] };
}

export function parseRef(s: string, allowed: string[]): { type: string; id: string } {
  const m = /^([a-z]+):(.+)$/.exec(s);
  if (!m || !allowed.includes(m[1]!)) throw new CliError('USAGE', `expected ${allowed.join('|')}:ID, got ${JSON.stringify(s)}`);
  return { type: m[1]!, id: m[2]! };
}

/** What a command group (commands/*.ts) needs of the program: the API client, the output, the global options. */
export interface CommandContext {
  io: AdminIo;
  client(): Promise<Client>;
  /** Prints `value` as JSON with `--json`, else what `human` makes of it. */
  print(value: unknown, human: () => string): void;
  /** Whether the global `--json` was given. */
  json(): boolean;
}
