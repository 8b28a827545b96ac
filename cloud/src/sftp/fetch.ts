/**
 * Fetches one file from an SFTP server (ssh2-sftp-client): the host key checked against the pin (or reported for
 * pinning on first use), the file read into memory up to a byte limit, the connection always closed. Secrets are
 * handed to the SSH client only; neither they nor the file's content reach a log.
 */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { CloudError } from '../errors.ts';
import { HostKeyChanged, hostKeyFingerprint } from './host-key.ts';

export interface FetchRequest {
  host: string;
  port: number;
  username: string;
  auth: { password: string } | { privateKey: string; passphrase?: string };
  remotePath: string;
  /** The pinned fingerprint; undefined: the first connection, whatever key is shown is reported back. */
  pinned: string | undefined;
  maxBytes: number;
  /** For the SSH handshake. */
  connectTimeoutMs: number;
  /** For the whole fetch: a server that stalls mid-file must not hold the import (and its lease) forever. */
  deadlineMs: number;
}

export interface Fetched {
  bytes: Buffer;
  /** The fingerprint of the host key the server showed. */
  fingerprint: string;
}

/** A file over the limit, refused before or while it is read. */
export class FileTooLarge extends CloudError<'FILE_TOO_LARGE'> {
  override name = 'FileTooLarge';
  constructor(path: string, maxBytes: number) {
    super('FILE_TOO_LARGE', `${path} is larger than the limit of ${maxBytes} bytes: nothing was imported`);
  }
}

/** Collects what is written into it, failing once more than `max` bytes arrived. */
class BoundedSink extends Writable {
  private readonly parts: Buffer[] = [];
  private size = 0;
  constructor(
    private readonly max: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.max) return done(this.tooLarge());
    this.parts.push(chunk);
    done();
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** Fetches `req.remotePath`. Throws HostKeyChanged, FileTooLarge, or the SSH/SFTP error (its message names the step). */
export async function fetchFile(req: FetchRequest, log: Logger): Promise<Fetched> {
  // Loaded on first use: the SSH stack is large, and a cloud without a scheduled import never needs it.
  const { default: SftpClient } = await import('ssh2-sftp-client');
  const client = new SftpClient('portier-sftp-import', {
    error: (err) => log.debug({ err: err.message }, 'sftp connection error'),
    end: () => log.debug('sftp connection ended'),
    close: () => log.debug('sftp connection closed'),
  });
  let shown: string | undefined;
  let changed: HostKeyChanged | undefined;
  let late = false;
  const tooSlow = (cause?: unknown): Error => new Error(`the fetch of ${req.remotePath} took longer than ${Math.round(req.deadlineMs / 1000)} s: nothing was imported`, { cause });
  const deadline = setTimeout(() => {
    late = true;
    void client.end().catch(() => {});
  }, req.deadlineMs);
  deadline.unref();
  try {
    try {
      await client.connect({
        host: req.host,
        port: req.port,
        username: req.username,
        ...req.auth,
        readyTimeout: req.connectTimeoutMs,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          shown = hostKeyFingerprint(key);
          if (req.pinned !== undefined && shown !== req.pinned) {
            changed = new HostKeyChanged(req.pinned, shown);
            return false;
          }
          return true;
        },
      });
    } catch (err) {
      // ssh2 words a refused host key as a handshake failure: say what happened.
      throw changed ?? err;
    }
    const stat = await client.stat(req.remotePath);
    if (!stat.isFile) throw new Error(`${req.remotePath} is not a file`);
    const tooLarge = (): Error => new FileTooLarge(req.remotePath, req.maxBytes);
    if (stat.size > req.maxBytes) throw tooLarge();
    const sink = new BoundedSink(req.maxBytes, tooLarge);
    try {
      await client.get(req.remotePath, sink);
    } catch (err) {
      // The sink's own refusal arrives wrapped by the client: keep its words.
      if ((err as Error).message.includes('larger than the limit')) throw tooLarge();
      throw err;
    }
    if (late) throw tooSlow();
    return { bytes: sink.bytes(), fingerprint: shown! };
  } catch (err) {
    if (late) throw tooSlow(err);
    throw err;
  } finally {
    clearTimeout(deadline);
    await client.end().catch(() => {});
  }
}
