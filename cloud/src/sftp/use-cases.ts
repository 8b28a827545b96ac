/**
 * The SFTP import's use cases over the domain core: an enterprise's configuration (set, read without its secrets,
 * removed, its pinned host key forgotten), every change audited without secrets; the file a run fetched imported
 * through the contacts' CSV import; each run recorded, the last RUNS_KEPT per enterprise kept, a failed one with an
 * alert in the activity log. Connecting and scheduling are the runner's and the scheduler's (runner.ts, scheduler.ts).
 */
import { auditChanges } from '../domain/audit.ts';
import type { DomainCore } from '../domain/core.ts';
import { DomainError, notFound, parseInput } from '../domain/errors.ts';
import type { ActivityEntry, Actor } from '../domain/model.ts';
import { wholeEnterprise, type ContactCsv, type ContactImportResult } from '../domain/use-cases/contacts-csv.ts';
import type { Del } from '../store/store.ts';
import { publicSftpImport, RUNS_KEPT, sftpImportInput, type PublicSftpImport, type SftpImportInput, type SftpImportRecord, type SftpImportRun } from './model.ts';
import { checkPrivateKey, openAuth, sealAuth } from './secrets.ts';

const TARGET = (enterpriseId: string) => ({ kind: 'import' as const, id: `sftp:${enterpriseId}` });
/** The fields an audit entry compares; secrets are recorded as changed, never with their values. */
const AUDITED = ['host', 'port', 'username', 'remotePath', 'delimiter', 'mode', 'schedule', 'timezone', 'enabled', 'password', 'privateKey'] as const;
type Audited = Record<(typeof AUDITED)[number], unknown>;

function audited(r: SftpImportRecord | undefined, secretsChanged: boolean): Audited | undefined {
  if (!r) return undefined;
  // A new secret shows as a change of its field: compare a fresh token, never the sealed value (it changes anyway).
  const token = (kind: 'password' | 'key'): string | undefined => (r.auth.kind === kind ? (secretsChanged ? 'new' : 'kept') : undefined);
  return { host: r.host, port: r.port, username: r.username, remotePath: r.remotePath, delimiter: r.delimiter, mode: r.mode, schedule: r.schedule, timezone: r.timezone, enabled: r.enabled, password: token('password'), privateKey: token('key') };
}

export class SftpImportUseCases {
  constructor(
    private readonly core: DomainCore,
    private readonly csv: ContactCsv,
  ) {}

  /** The stored configuration (secrets sealed), for the runner; none once its enterprise is deleted. */
  record(enterpriseId: string): SftpImportRecord | undefined {
    return this.core.store.get('enterprises', enterpriseId) ? this.core.store.get('sftpImports', enterpriseId) : undefined;
  }

  /** The record's secrets in clear, to connect (sealed under the domain's vault, the secrets key's). */
  credentials(r: SftpImportRecord): ReturnType<typeof openAuth> {
    return openAuth(this.core.vault, r);
  }

  /** Every stored configuration, for the scheduler. */
  all(): SftpImportRecord[] {
    return this.core.store.list('sftpImports').filter((r) => this.core.store.get('enterprises', r.enterpriseId) !== undefined);
  }

  get(enterpriseId: string): PublicSftpImport {
    const r = this.record(enterpriseId);
    if (!r) throw notFound('SFTP import of enterprise', enterpriseId, 'enterpriseId');
    return publicSftpImport(r, this.core.now());
  }

  /** Creates or replaces the configuration. A secret left out keeps the stored one; another host or port forgets the pinned key. */
  async set(enterpriseId: string, input: SftpImportInput, actor: Actor): Promise<PublicSftpImport> {
    const req = parseInput(sftpImportInput, input);
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const old = this.record(enterpriseId);
    let auth: SftpImportRecord['auth'];
    if (req.password !== undefined) auth = sealAuth(this.core.vault, enterpriseId, { password: req.password });
    else if (req.privateKey !== undefined) {
      checkPrivateKey(req.privateKey, req.passphrase);
      auth = sealAuth(this.core.vault, enterpriseId, { privateKey: req.privateKey, passphrase: req.passphrase });
    } else if (old) auth = old.auth;
    else throw new DomainError('VALIDATION', 'give a password or a private key', 'password');
    const now = this.core.now();
    const sameServer = old !== undefined && old.host === req.host && old.port === req.port;
    const next: SftpImportRecord = {
      enterpriseId,
      host: req.host,
      port: req.port,
      username: req.username,
      auth,
      remotePath: req.remotePath,
      delimiter: req.delimiter,
      mode: req.mode,
      schedule: req.schedule.trim(),
      ...(req.timezone !== undefined ? { timezone: req.timezone } : {}),
      enabled: req.enabled,
      ...(sameServer && old.hostKey ? { hostKey: old.hostKey } : {}),
      createdAt: old?.createdAt ?? now,
      ...(old ? { updatedAt: now } : {}),
    };
    const fresh = req.password !== undefined || req.privateKey !== undefined;
    const changes = auditChanges(audited(old, false), audited(next, fresh), AUDITED);
    if (old?.hostKey && !next.hostKey) changes.push({ field: 'hostKey', from: old.hostKey.fingerprint });
    const a = this.core.audit(actor, enterpriseId, TARGET(enterpriseId), old ? 'SFTP import changed' : 'SFTP import set up', changes);
    await this.core.commit({ put: [{ c: 'sftpImports', key: enterpriseId, value: next }], activity: [a] });
    return publicSftpImport(next, now);
  }

  /** Removes the configuration and its runs. */
  async remove(enterpriseId: string, actor: Actor): Promise<PublicSftpImport> {
    const r = this.record(enterpriseId);
    if (!r) throw notFound('SFTP import of enterprise', enterpriseId, 'enterpriseId');
    const runs: Del[] = this.runRecords(enterpriseId).map((x) => ({ c: 'sftpRuns', key: x.id }));
    const a = this.core.audit(actor, enterpriseId, TARGET(enterpriseId), 'SFTP import removed', auditChanges(audited(r, false), undefined, AUDITED));
    await this.core.commit({ del: [{ c: 'sftpImports', key: enterpriseId }, ...runs], activity: [a] });
    return publicSftpImport({ ...r, enabled: false }, this.core.now());
  }

  /** Forgets the pinned host key: the next run pins the key the server shows then. */
  async forgetHostKey(enterpriseId: string, actor: Actor): Promise<PublicSftpImport> {
    const r = this.record(enterpriseId);
    if (!r) throw notFound('SFTP import of enterprise', enterpriseId, 'enterpriseId');
    const { hostKey, ...rest } = r;
    const next: SftpImportRecord = { ...rest, updatedAt: this.core.now() };
    const a = this.core.audit(actor, enterpriseId, TARGET(enterpriseId), 'SFTP host key forgotten', hostKey ? [{ field: 'hostKey', from: hostKey.fingerprint }] : []);
    await this.core.commit({ put: [{ c: 'sftpImports', key: enterpriseId, value: next }], activity: [a] });
    return publicSftpImport(next, this.core.now());
  }

  /** Pins `fingerprint` as the host key of the configured server, when none is pinned and the server is still `host:port`. */
  async pinHostKey(enterpriseId: string, server: { host: string; port: number }, fingerprint: string): Promise<void> {
    const r = this.record(enterpriseId);
    if (!r || r.hostKey || r.host !== server.host || r.port !== server.port) return;
    const next: SftpImportRecord = { ...r, hostKey: { fingerprint, pinnedAt: this.core.now() } };
    const a = this.core.audit({ role: 'system', id: 'sftp-import' }, enterpriseId, TARGET(enterpriseId), 'SFTP host key pinned on first use', [{ field: 'hostKey', to: fingerprint }]);
    await this.core.commit({ put: [{ c: 'sftpImports', key: enterpriseId, value: next }], activity: [a] });
  }

  /** Imports a fetched file into the enterprise's whole address book, all or nothing (contacts-csv.ts). */
  importFile(r: SftpImportRecord, bytes: Uint8Array, actor: Actor): Promise<ContactImportResult> {
    return this.csv.import(bytes, r.mode, actor, wholeEnterprise(r.enterpriseId), r.delimiter);
  }

  /** Records a finished run (a failed one with its alert), dropping the enterprise's oldest beyond RUNS_KEPT. */
  async recordRun(run: SftpImportRun): Promise<ActivityEntry | undefined> {
    const older = this.runRecords(run.enterpriseId);
    const drop: Del[] = older.slice(0, Math.max(0, older.length + 1 - RUNS_KEPT)).map((x) => ({ c: 'sftpRuns', key: x.id }));
    const alert =
      run.outcome === 'failed'
        ? this.core.activity('alert', { role: 'system', id: 'sftp-import' }, {
            enterpriseId: run.enterpriseId,
            target: TARGET(run.enterpriseId),
            detail: `sftp-import-failed: run ${run.id} (${run.trigger}): ${run.errors.slice(0, 3).map((e) => (e.line !== undefined ? `line ${e.line}${e.column ? ` ${e.column}` : ''}: ${e.problem}` : e.problem)).join('; ')}${run.errors.length > 3 ? `; and ${run.errors.length - 3} more` : ''}`.slice(0, 500),
          })
        : undefined;
    await this.core.commit({ put: [{ c: 'sftpRuns', key: run.id, value: run }], del: drop, ...(alert ? { activity: [alert] } : {}) });
    return alert;
  }

  /** The enterprise's recorded runs, newest first. */
  runs(enterpriseId: string): SftpImportRun[] {
    return this.runRecords(enterpriseId).reverse();
  }

  private runRecords(enterpriseId: string): SftpImportRun[] {
    return this.core.store
      .list('sftpRuns')
      .filter((x) => x.enterpriseId === enterpriseId)
      .sort((a, b) => a.startedAt - b.startedAt || a.endedAt - b.endedAt);
  }
}
