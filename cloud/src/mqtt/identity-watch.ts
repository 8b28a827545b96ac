/**
 * Follows the changes other processes make to the identity registry's file (a revocation by `portier-cloud revoke`)
 * in a running cloud: the registry re-reads the file and emits `revoked`, and the embedded broker closes that
 * identity's live connection at once instead of at the next connect.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** What is watched: the registry's file and its (cheap, stat-first) re-read. */
export interface WatchedRegistry {
  readonly file: string;
  refresh(): Promise<void>;
}

/**
 * A watch on the file's folder (every write replaces the file by a rename), and a re-read every `intervalMs` in case
 * the file system does not report changes. Returns the stop function.
 */
export function watchIdentities(reg: WatchedRegistry, opts: { intervalMs?: number; onError?: (err: unknown) => void } = {}): () => void {
  const onError = opts.onError ?? (() => {});
  const check = (): void => {
    reg.refresh().catch(onError);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(reg.file), (_event, name) => {
      if (name === null || name === basename(reg.file)) check();
    });
    watcher.on('error', onError);
  } catch (err) {
    onError(err);
  }
  const timer = setInterval(check, opts.intervalMs ?? 2000);
  timer.unref();
  return () => {
    clearInterval(timer);
    watcher?.close();
  };
}
