/**
 * What the running cloud (cloud-runtime.ts) shares with the one-shot commands that work on a stopped cloud's data
 * folder (`portier-cloud init-admin`, `unlock`): the folder's layout and its AuthService. Apart from cloud-runtime.ts
 * so those commands load neither the servers nor the broker.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { AuthService, domainAuthParts } from '../auth/service.ts';
import type { PasswordLinks } from '../auth/password-links.ts';
import type { AccountMail } from '../auth/account-mail.ts';
import type { GuessCountsOf } from '../auth/guess-counts.ts';
import { SESSIONS_FILE } from '../auth/token-file.ts';
import type { TokenRepo } from '../auth/sessions.ts';
import { ConfigError, type CloudConfig } from '../config/config.ts';
import type { LockerService } from '../domain/service.ts';

/** The data folder's layout (defined here only). */
export function runtimePaths(dataDir: string): { root: string; store: string; tokens: string; events: string; desired: string; bridge: string } {
  const root = resolve(dataDir);
  return {
    root,
    store: join(root, 'store'),
    tokens: join(root, SESSIONS_FILE),
    events: join(root, 'sync', 'events'),
    desired: join(root, 'sync', 'desired'),
    bridge: join(root, 'bridge'),
  };
}

/**
 * The AuthService of a data folder, from the config's auth section (serve and init-admin share it); `guesses`: where
 * failed sign-ins are counted (OpenedStore.guesses; default: this process's memory).
 */
export function makeAuth(
  config: CloudConfig,
  service: LockerService,
  tokens: TokenRepo,
  logger: Logger,
  now: () => number = Date.now,
  welcome?: PasswordLinks,
  mail?: AccountMail,
  guesses?: GuessCountsOf,
): AuthService {
  return new AuthService({
    ...domainAuthParts(service, logger, mail),
    tokens,
    store: service.store,
    random: service.random,
    now,
    logger,
    argon2: config.auth.argon2,
    tokenTtlMs: config.auth.tokenTtlSeconds * 1000,
    login: {
      freeAttempts: config.auth.login.freeAttempts,
      baseLockMs: config.auth.login.baseLockSeconds * 1000,
      maxLockMs: config.auth.login.maxLockSeconds * 1000,
      windowMs: config.auth.login.windowSeconds * 1000,
    },
    ...(welcome ? { welcome } : {}),
    ...(guesses ? { guesses } : {}),
  });
}

/** The key and certificate of `http.tls`, read at start: a file that cannot be read stops the start, naming it. */
export async function readHttpTls(config: CloudConfig): Promise<{ key: Buffer; cert: Buffer } | undefined> {
  const tls = config.http.tls;
  if (!tls) return undefined;
  const read = async (path: string, field: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new ConfigError([{ path: `http.tls.${field}`, message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
    }
  };
  return { key: await read(tls.keyFile, 'keyFile'), cert: await read(tls.certFile, 'certFile') };
}
