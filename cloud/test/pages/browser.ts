// What the tests of pages in a real Chromium share: the browser (Debian's, skipped by name when absent) and axe, from
// the helpers every workspace's browser tests share, and a whole running cloud whose logs the test reads.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AccountMail } from '../../src/auth/account-mail.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { testCloudConfig } from '../runtime/helpers.ts';

export { axeViolations, CHROMIUM, launchChromium, skipWithoutChromium } from '../../../scripts/test/contracts/browser.ts';

export interface PagesCloud {
  rt: CloudRuntime;
  /** Its data folder. */
  dir: string;
  /** Everything it logged so far (level debug). */
  logs(): string;
  /** A request to its API, with a bearer token when given. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
}

/** A whole cloud on a temporary data folder, with its first administrator `admin` and the account mail given; stopped at teardown. */
export async function startPagesCloud(t: Parameters<typeof tempDir>[0], prefix: string, adminPassword: string, accountMail: AccountMail, o: { now?: () => number } = {}): Promise<PagesCloud> {
  const dir = await tempDir(t, prefix);
  let logs = '';
  const logger = pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString('utf8');
      done();
    },
  }));
  const rt = await startCloud({
    config: { ...testCloudConfig(dir), admin: { user: 'admin', password: adminPassword } },
    logger,
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    accountMail,
    ...(o.now ? { now: o.now } : {}),
  });
  // Registered after the folder's removal, so it runs before it (teardowns run last first): the cloud's last writes
  // (its sessions file) land in a folder that is still there.
  t.teardown(() => rt.stop());
  const api = (method: string, path: string, body?: unknown, token?: string): Promise<Response> =>
    fetch(`${rt.httpUrl}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return { rt, dir, logs: () => logs, api };
}
