/**
 * The one way the cloud and the controller put bytes on disk so that they survive a power cut (DESIGN.md "Offline
 * behaviour"): the cloud's store, journals, identities, keys and generated broker files, and the controller's config,
 * stores and outbox all write through here.
 * - `writeFileDurable` replaces a whole file: a unique temp file is written (every byte), fsynced, renamed over the
 *   target, and the folder fsynced; only then does it resolve. A crash at any point leaves the old file or the new.
 * - `AppendFile` appends to a log: every byte is written and fdatasynced before an append resolves; a write that
 *   stores part of its bytes (a full disk) is cut off again so no later line follows a torn one; a file it creates
 *   has its folder entry fsynced.
 * - `ensureDir` creates a folder so that it, too, survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { PortierError } from '@portier/protocol';

/** A write that stored fewer bytes than asked and no error: the disk is full. */
export class ShortWriteError extends PortierError<'ENOSPC'> {
  override name = 'ShortWriteError';
  constructor(written: number, wanted: number) {
    super('ENOSPC', `no space left on device: ${written} of ${wanted} bytes written`);
  }
}

/** fsync a folder so a creation or rename in it survives a power cut. Some file systems refuse; that is not our failure. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Creates a folder and its missing parents with `mode`, and makes every new entry durable: each created folder's
 * parent is fsynced, so a power cut right after cannot lose the folder of a file that was fsynced inside it.
 */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  await syncNewFolders(await mkdir(dir, { recursive: true, mode }), dir);
}

/**
 * Makes folders that a recursive mkdir created durable: `made` is what it answered (the first folder it created, or
 * undefined when `dir` existed), and every folder from there down to `dir` is new; each one's parent is fsynced.
 */
export async function syncNewFolders(made: string | undefined, dir: string): Promise<void> {
  if (made === undefined) return;
  const created = [made];
  let at = made;
  for (const part of relative(made, dir).split(sep).filter(Boolean)) created.push((at = join(at, part)));
  for (const d of created.reverse()) await fsyncDir(dirname(d));
}

/** Writes all of `data` at the file's position (the end, for a file opened to append), or throws: `write(2)` may store part of it and report no error. */
export async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    if (bytesWritten <= 0) throw new ShortWriteError(off, data.length);
    off += bytesWritten;
  }
}

/** Atomically and durably replaces `file` with `data` (file mode `mode`). */
export async function writeFileDurable(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await writeAll(fh, bytes);
      // The umask may have narrowed the mode asked for at creation.
      await chmod(tmp, mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/**
 * A log opened for appending. The owner reads what `open` returns, cuts a torn tail off with `cut`, and appends
 * whole lines; it knows the size of the part that holds whole, acknowledged bytes.
 */
export class AppendFile {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private bytes: number,
  ) {}

  /** Opens (creating, with its folder entry made durable) the file at `path` and returns what it holds. */
  static async open(path: string, mode = 0o600): Promise<{ file: AppendFile; data: Buffer; created: boolean }> {
    let data: Buffer;
    let created = false;
    try {
      data = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      data = Buffer.alloc(0);
      created = true;
    }
    const fh = await open(path, 'a', mode);
    // A new file exists after a power cut only once its folder entry is on disk too.
    if (created) {
      try {
        await fsyncDir(dirname(path));
      } catch (err) {
        await fh.close();
        throw err;
      }
    }
    return { file: new AppendFile(path, fh, data.length), data, created };
  }

  /** Bytes known to be whole on disk. */
  get size(): number {
    return this.bytes;
  }

  /** Appends every byte of `data` and fdatasyncs; on failure the part written is cut off again and the error thrown. */
  async append(data: Uint8Array): Promise<void> {
    try {
      await writeAll(this.fh, data);
      await this.fh.datasync();
    } catch (err) {
      await this.fh.truncate(this.bytes).catch(() => undefined);
      throw err;
    }
    this.bytes += data.length;
  }

  /** Cuts the file to its first `size` bytes (a torn tail, or emptied after a snapshot), durably. */
  async cut(size: number): Promise<void> {
    await this.fh.truncate(size);
    await this.fh.datasync();
    this.bytes = size;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
