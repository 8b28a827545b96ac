// An HTTP server with welcome and reset links, their pages, and an account mail that keeps what it was given.
import { randomBytes } from 'node:crypto';
import type { AccountLinkMessage, AccountMail, AccountMessage } from '../../src/auth/account-mail.ts';
import { PasswordLinks } from '../../src/auth/password-links.ts';
import { AuthService, domainAuthParts } from '../../src/auth/service.ts';
import { MemoryTokenRepo } from '../../src/auth/users.ts';
import { LockerService } from '../../src/domain/service.ts';
import { buildServer, type App } from '../../src/http/server.ts';
import type { SftpRunner } from '../../src/sftp/runner.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { PASSWORD, silent, TEST_ARGON2 } from '../http/helpers.ts';

/** The account mail of a test: the messages with a link queued, in order, and the sign-in codes. */
export class CapturingMail implements AccountMail {
  readonly messages: AccountLinkMessage[] = [];
  readonly codes: Array<Extract<AccountMessage, { kind: 'mfa-code' }>> = [];
  async queue(message: AccountMessage): Promise<void> {
    if (message.kind === 'mfa-code') this.codes.push(message);
    else this.messages.push(message);
  }
  /** The token of the last message's link. */
  lastToken(): string {
    const link = this.messages.at(-1)?.link;
    if (!link) throw new Error('no message was queued');
    return new URL(link).searchParams.get('token') ?? '';
  }
}

export const BASE_URL = 'https://lockers.example.com';

export interface AccountsApp {
  app: App;
  store: MemoryStore;
  service: LockerService;
  auth: AuthService;
  links: PasswordLinks;
  mail: CapturingMail;
  tokens: MemoryTokenRepo;
  /** The bearer headers of the administrator `admin` of enterprise `ent`. */
  admin: Record<string, string>;
}

/** Enterprise `ent` with its administrator `admin` (password PASSWORD), the clock read through Date.now (fake it). */
/** `sftp`: what runs the SFTP imports behind the API (`POST /sftp-import/run`); without it that route answers 503. */
export async function accountsApp(t: { teardown(fn: () => unknown): void }, o: { sftp?: Pick<SftpRunner, 'run'> } = {}): Promise<AccountsApp> {
  const store = new MemoryStore();
  const now = () => Date.now();
  const service = new LockerService({ store, clock: now, logger: silent, codeHashN: 1024 });
  const mail = new CapturingMail();
  const tokens = new MemoryTokenRepo();
  const links: PasswordLinks = new PasswordLinks({
    store,
    users: service.users,
    setPassword: (id, password, actor) => auth.updateUser(id, { password }, actor),
    mail,
    baseUrl: () => BASE_URL,
    now,
    newId: () => service.random.id('a'),
    logger: silent,
  });
  const auth: AuthService = new AuthService({
    ...domainAuthParts(service, silent),
    tokens,
    store,
    random: service.random,
    now,
    logger: silent,
    argon2: TEST_ARGON2,
    tokenTtlMs: 3600_000,
    login: { freeAttempts: 3, baseLockMs: 1000, maxLockMs: 60_000, windowMs: 600_000 },
    welcome: links,
  });
  const app = await buildServer({ auth, service, logger: silent, accounts: { links, formKey: randomBytes(32), secureCookies: () => false }, ...(o.sftp ? { sftp: o.sftp } : {}) });
  t.teardown(async () => {
    await links.settled();
    await app.close();
  });
  await service.createEnterprise({ id: 'ent', name: 'Acme' }, { role: 'system' });
  await auth.createUser({ enterpriseId: 'ent', username: 'admin', password: PASSWORD, role: 'admin' });
  const { token } = await auth.login('admin', PASSWORD, '127.0.0.1');
  return { app, store, service, auth, links, mail, tokens, admin: { authorization: `Bearer ${token}` } };
}
