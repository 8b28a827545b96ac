// The config's `mail` section: its defaults, plain SMTP only for a loopback relay; and without the section, nothing
// queued and one warning.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { validateConfig } from '../../src/config/config.ts';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { LockerService } from '../../src/domain/service.ts';
import { createMail } from '../../src/mail/start.ts';
import { MemoryStore } from '../../src/store/memory.ts';

const from = { address: 'lockers@example.com' };

t.test('defaults and the TLS rule', async (t) => {
  const ok = validateConfig({ mail: { host: 'smtp.example.com', from } });
  t.ok(ok.ok);
  if (ok.ok) {
    t.match(ok.config.mail, { port: 587, secure: false, tls: 'required', from: { address: 'lockers@example.com', name: 'Portier' }, retry: { maxAttempts: 8, firstDelaySeconds: 30, maxDelaySeconds: 3600 }, retentionDays: 30, leaseSeconds: 60 });
  }
  const plainRemote = validateConfig({ mail: { host: 'smtp.example.com', tls: 'none', from } });
  t.match(plainRemote, { ok: false, problems: [{ path: 'mail.tls', message: /only allowed for a relay on loopback/ }] });
  t.ok(validateConfig({ mail: { host: '127.0.0.1', port: 25, tls: 'none', from } }).ok, 'plain SMTP to a loopback relay');
  t.match(validateConfig({ mail: { host: '127.0.0.1', tls: 'none', secure: true, from } }), { ok: false, problems: [{ path: 'mail.secure' }] });
  t.match(validateConfig({ mail: { host: 'smtp.example.com', from, password: 'x' } }), { ok: false }, 'no password in the config itself');
});

t.test('without a mail section nothing is queued and one warning says so', async (t) => {
  let logs = '';
  const logger = pino({ level: 'warn' }, new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) }));
  const cfg = validateConfig({});
  if (!cfg.ok) throw new Error('config');
  const store = new MemoryStore();
  const service = new LockerService({ store, logger: pino({ level: 'silent' }) });
  const mail = createMail({ config: cfg.config, service, vault: CodeVault.ephemeral(), logger, now: Date.now, ingest: new EventEmitter() });
  await mail.start('http://127.0.0.1:8080');
  const msg = { kind: 'welcome' as const, enterpriseId: 'ent', userId: 'u1', to: 'a@example.org', name: 'A', language: 'en' as const, link: 'http://x/set/tok', expiresAt: 0 };
  await mail.accountMail.queue(msg);
  await mail.accountMail.queue(msg);
  t.equal(mail.outbox, undefined);
  t.equal(store.count('mailOutbox'), 0, 'nothing queued');
  t.equal(logs.trim().split('\n').length, 1, 'one warning');
  t.match(logs, /no mail section in the config/);
  t.notMatch(logs, /tok/, 'not the link');
  await mail.stop();
});
