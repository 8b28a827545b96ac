// Watches and breaks real file handles, for tests of code that writes durably: which file or folder each write,
// fsync and fdatasync went to, in order, and a disk that fills up (a write stores part of its bytes, the next ones
// nothing, as write(2) does on ENOSPC). It wraps node's FileHandle methods, so the code under test runs unchanged.
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';

export type FsOp = 'write' | 'sync' | 'datasync';

export interface FsCall {
  op: FsOp;
  /** The file or folder the handle is open on (where it is now, for a file renamed since). */
  path: string;
  /** Set once the call completed without error. */
  done: boolean;
}

export interface FsSpy {
  readonly calls: FsCall[];
  /** Calls of `op` on `path`. */
  count(op: FsOp, path: string): number;
  /** Calls of `op` on `path` that completed without error. */
  completed(op: FsOp, path: string): number;
  /** From now on writes to files whose path matches store `bytes` bytes in all, then nothing. */
  fillDisk(match: (path: string) => boolean, bytes: number): void;
  /** From now on fsync and fdatasync of files whose path matches fail with EIO. */
  failSync(match: (path: string) => boolean): void;
  /** Back to normal writes and syncs (the calls stay recorded). */
  heal(): void;
}

/** Whether this platform names a descriptor's file in /proc/self/fd (the spy needs it). */
export const fsSpySkip = process.platform === 'linux' ? false : 'needs /proc/self/fd';

function pathOf(fh: FileHandle): string {
  try {
    return readlinkSync(`/proc/self/fd/${fh.fd}`);
  } catch {
    return '(closed)';
  }
}

/** Installs the spy for the rest of test `t`. */
export async function spyFileHandles(t: { teardown(fn: () => void): void }): Promise<FsSpy> {
  const dir = mkdtempSync(join(tmpdir(), 'portier-fs-spy-'));
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  rmSync(dir, { recursive: true, force: true });

  const calls: FsCall[] = [];
  let full: { match: (path: string) => boolean; left: number } | undefined;
  let syncFails: ((path: string) => boolean) | undefined;
  type Write = (this: FileHandle, buf: Uint8Array, off?: number, len?: number, pos?: number | null) => Promise<{ bytesWritten: number; buffer: Uint8Array }>;
  type Sync = (this: FileHandle) => Promise<void>;
  const realWrite = proto.write as unknown as Write;
  const realSync = proto.sync as unknown as Sync;
  const realDatasync = proto.datasync as unknown as Sync;

  const stubs = [
    sinon.stub(proto, 'write').callsFake(function (this: FileHandle, ...args: unknown[]) {
      const path = pathOf(this);
      calls.push({ op: 'write', path, done: true });
      const [buf, off, len, pos] = args as [Uint8Array, number | undefined, number | undefined, number | null | undefined];
      if (full && full.match(path) && buf instanceof Uint8Array) {
        const offset = off ?? 0;
        const length = Math.min(len ?? buf.length - offset, full.left);
        if (length <= 0) return Promise.resolve({ bytesWritten: 0, buffer: buf });
        full.left -= length;
        return realWrite.call(this, buf, offset, length, pos);
      }
      return (realWrite as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as unknown as FileHandle['write']),
    ...(['sync', 'datasync'] as const).map((op) =>
      sinon.stub(proto, op).callsFake(function (this: FileHandle) {
        const call: FsCall = { op, path: pathOf(this), done: false };
        calls.push(call);
        if (syncFails?.(call.path)) return Promise.reject(Object.assign(new Error(`EIO: i/o error, ${op}`), { code: 'EIO' }));
        return (op === 'sync' ? realSync : realDatasync).call(this).then(() => {
          call.done = true;
        });
      }),
    ),
  ];
  t.teardown(() => {
    for (const s of stubs) s.restore();
  });
  return {
    calls,
    count: (op, path) => calls.filter((c) => c.op === op && c.path === path).length,
    completed: (op, path) => calls.filter((c) => c.op === op && c.path === path && c.done).length,
    fillDisk: (match, bytes) => {
      full = { match, left: bytes };
    },
    failSync: (match) => {
      syncFails = match;
    },
    heal: () => {
      full = undefined;
      syncFails = undefined;
    },
  };
}
