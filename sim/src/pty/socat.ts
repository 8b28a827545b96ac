import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortierError } from '@portier/protocol';

/** Why a pty pair could not be made, with a stable code. */
export class PtyError extends PortierError<'SOCAT_MISSING' | 'SOCAT_EXITED' | 'PTY_TIMEOUT'> {
  override name = 'PtyError';
}

/** A virtual serial cable: two linked ttys, what goes into one comes out of the other. */
export interface PtyPair {
  /** The simulator's end (a symlink to a /dev/pts/N). */
  readonly simPath: string;
  /** The controller's end: give this path to a controller process as if it were /dev/ttyUSB0. */
  readonly controllerPath: string;
  /** PID of the socat process. */
  readonly pid: number | undefined;
  /** Kills socat and removes the links. Idempotent. */
  close(): Promise<void>;
}

/** Whether `socat` can be run here (tests skip by name when it cannot). */
export function socatAvailable(): boolean {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  return r.status === 0;
}

export interface PtyPairOptions {
  /** Folder for the two links. Default: a fresh temp folder, removed on close. */
  dir?: string;
  /** Names of the links inside `dir`. */
  simName?: string;
  controllerName?: string;
  /** How long to wait for socat to create both links. Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * Starts `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and resolves once both links exist.
 * Real waits on real I/O: bounded by `timeoutMs`, never left hanging.
 */
export async function createPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'portier-pty-'));
  const simPath = join(dir, opts.simName ?? 'cu16-sim');
  const controllerPath = join(dir, opts.controllerName ?? 'cu16-controller');
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  let stderr = '';
  const child = spawn('socat', [`pty,raw,echo=0,link=${simPath}`, `pty,raw,echo=0,link=${controllerPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('error', (err) => {
    spawnError = err;
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const cleanupDir = (): void => {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 5000;
  for (;;) {
    if (spawnError) {
      cleanupDir();
      const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      throw new PtyError(missing ? 'SOCAT_MISSING' : 'SOCAT_EXITED', missing ? 'socat is not installed (Debian package socat)' : spawnError.message);
    }
    if (exited) {
      cleanupDir();
      throw new PtyError('SOCAT_EXITED', `socat exited (${exited.code ?? exited.signal}): ${stderr.trim()}`);
    }
    if (existsSync(simPath) && existsSync(controllerPath)) break;
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      cleanupDir();
      throw new PtyError('PTY_TIMEOUT', `socat did not create ${simPath} and ${controllerPath} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }

  let closing: Promise<void> | undefined;
  return {
    simPath,
    controllerPath,
    pid: child.pid,
    close() {
      closing ??= (async () => {
        if (!exited) {
          const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
          await gone;
          clearTimeout(timer);
        }
        cleanupDir();
      })();
      return closing;
    },
  };
}
