/**
 * One fetch of a logo file named by a desired state's reference: bounded in time and size (never more than the
 * reference's `bytes` are read), no redirects (the address is the cloud's own), and the bytes checked against the
 * reference's SHA-256 before anyone may use them.
 */
import { createHash } from 'node:crypto';
import { PortierError, type LogoReference } from '@portier/protocol';

export type LogoFetchErrorCode = 'LOGO_HTTP' | 'LOGO_TOO_LARGE' | 'LOGO_SIZE' | 'LOGO_HASH' | 'LOGO_NETWORK' | 'LOGO_TIMEOUT';

export class LogoFetchError extends PortierError<LogoFetchErrorCode> {
  override name = 'LogoFetchError';
}

export type FetchLike = (url: string, init: { signal: AbortSignal; redirect: 'error' }) => Promise<Response>;

/** The file's bytes, verified; throws LogoFetchError with why not. */
export async function fetchLogo(ref: LogoReference, opts: { fetch: FetchLike; timeoutMs: number; signal?: AbortSignal }): Promise<Buffer> {
  const ctl = new AbortController();
  const abort = (): void => ctl.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, opts.timeoutMs);
  try {
    let res: Response;
    try {
      res = await opts.fetch(ref.url, { signal: ctl.signal, redirect: 'error' });
    } catch (err) {
      throw new LogoFetchError(timedOut ? 'LOGO_TIMEOUT' : 'LOGO_NETWORK', `cannot fetch ${ref.url}: ${timedOut ? `no answer in ${opts.timeoutMs} ms` : (err as Error).message}`, { cause: err });
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new LogoFetchError('LOGO_HTTP', `${ref.url} answered ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > ref.bytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new LogoFetchError('LOGO_TOO_LARGE', `${ref.url} is ${declared} bytes; the reference says ${ref.bytes}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body ?? []) {
        total += (chunk as Uint8Array).length;
        if (total > ref.bytes) {
          ctl.abort();
          throw new LogoFetchError('LOGO_TOO_LARGE', `${ref.url} sent more than the ${ref.bytes} bytes of its reference`);
        }
        chunks.push(Buffer.from(chunk as Uint8Array));
      }
    } catch (err) {
      if (err instanceof LogoFetchError) throw err;
      throw new LogoFetchError(timedOut ? 'LOGO_TIMEOUT' : 'LOGO_NETWORK', `reading ${ref.url} failed: ${timedOut ? `no answer in ${opts.timeoutMs} ms` : (err as Error).message}`, { cause: err });
    }
    const data = Buffer.concat(chunks);
    if (data.length !== ref.bytes) throw new LogoFetchError('LOGO_SIZE', `${ref.url} sent ${data.length} bytes; the reference says ${ref.bytes}`);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== ref.sha256) throw new LogoFetchError('LOGO_HASH', `${ref.url} is not the file its reference names (SHA-256 ${sha256}, expected ${ref.sha256})`);
    return data;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', abort);
  }
}
