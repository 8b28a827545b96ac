/**
 * The store folder's `LOCK`: it holds the owner's pid and start time, because two processes appending to one journal
 * would interleave lines. A lock whose owner is gone (or whose pid now belongs to another process) is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StoreError } from './store.ts';

export const LOCK = 'LOCK';

/** Takes the folder's lock, or throws StoreError LOCKED naming the process that holds it. */
export async function lockFolder(dir: string, log: Logger): Promise<void> {
  const file = join(dir, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(`${process.pid} ${(await processStartTime(process.pid)) ?? ''}`.trim());
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pidText, started] = (await readFile(file, 'utf8').catch(() => '')).trim().split(/\s+/);
    const pid = Number(pidText);
    // A killed owner's pid may have been reused by now (pid_max can be 32768): compare start times too.
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (pid === process.pid || !started || (await processStartTime(pid)) === started))
      throw new StoreError('LOCKED', `store ${dir} is in use by process ${pid}`);
    log.warn({ pid }, 'removing a stale store lock');
    await rm(file, { force: true });
  }
  throw new StoreError('LOCKED', `could not lock store ${dir}`);
}

/** Start time of a process in clock ticks since boot (Linux /proc), or undefined where there is no /proc. */
async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
