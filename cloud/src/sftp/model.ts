/**
 * The scheduled SFTP import of an enterprise's address book: its configuration as given through the API, as stored
 * (secrets sealed under the cloud's secrets key) and as answered (secrets never: only whether one is set), and the
 * record of each run.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { entityIdSchema, epochMs, importModeSchema } from '../domain/model.ts';

export const SFTP_DELIMITERS = [',', ';', '\t'] as const;
export const sftpDelimiterSchema = z.enum(SFTP_DELIMITERS);

/** The schedule's next time after `from` (epoch ms), or undefined when it never fires again. */
export function nextRunAfter(schedule: string, timezone: string | undefined, from: number): number | undefined {
  const next = new Cron(schedule, { paused: true, ...(timezone !== undefined ? { timezone } : {}) }).nextRun(new Date(from));
  return next ? next.getTime() : undefined;
}

/** Why a cron pattern is refused, or undefined when it is good (minutes, hours, days of month, months, days of week). */
export function scheduleProblem(schedule: string, timezone?: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (!schedule.trim().startsWith('@') && fields.length !== 5) return 'a cron schedule has 5 fields: minute hour day-of-month month day-of-week (e.g. "0 2 * * *")';
  try {
    if (nextRunAfter(schedule, timezone, Date.UTC(2000, 0, 1)) === undefined) return 'this schedule never runs';
  } catch (err) {
    return `not a cron schedule: ${(err as Error).message}`;
  }
  return undefined;
}

function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or an IP address');
const remotePathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !/[\0\r\n]/.test(p), 'a path on one line');
/** Largest private key accepted (an RSA 8192 PEM is about 6.5 kB). */
export const MAX_PRIVATE_KEY_CHARS = 16_000;

/** `PUT /sftp-import`: the whole configuration; a secret left out keeps the one stored (of the same kind). */
export const sftpImportInput = z
  .strictObject({
    host: hostSchema,
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).max(100).regex(/^[^\s:]+$/, 'a user name without blanks or colons'),
    password: z.string().min(1).max(1000).optional().describe('write only: never answered'),
    privateKey: z.string().min(1).max(MAX_PRIVATE_KEY_CHARS).optional().describe('PEM or OpenSSH private key; write only: never answered'),
    passphrase: z.string().min(1).max(1000).optional().describe("the private key's passphrase; write only: never answered"),
    remotePath: remotePathSchema,
    delimiter: sftpDelimiterSchema.default(','),
    mode: importModeSchema.default('merge'),
    schedule: z.string().min(1).max(200).describe('cron syntax, 5 fields (minute hour day-of-month month day-of-week)'),
    timezone: z.string().min(1).max(64).refine(knownTimeZone, 'not a time zone (IANA names, e.g. "Europe/Paris")').optional().describe('IANA time zone the schedule is read in; default UTC'),
    enabled: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    if (v.password !== undefined && v.privateKey !== undefined) ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'give a password or a private key, not both' });
    if (v.passphrase !== undefined && v.privateKey === undefined) ctx.addIssue({ code: 'custom', path: ['passphrase'], message: 'a passphrase goes with the private key it opens' });
    const problem = scheduleProblem(v.schedule, v.timezone !== undefined && knownTimeZone(v.timezone) ? v.timezone : 'UTC');
    if (problem) ctx.addIssue({ code: 'custom', path: ['schedule'], message: problem });
  });
export type SftpImportInput = z.input<typeof sftpImportInput>;

/** A pinned host key: the SHA-256 fingerprint OpenSSH shows (`SHA256:` + unpadded base64). */
export const hostKeyPinSchema = z.strictObject({ fingerprint: z.string().max(100), pinnedAt: epochMs });
export type HostKeyPin = z.infer<typeof hostKeyPinSchema>;

/** The configuration as stored: secrets sealed (code-vault.ts `sealSecret`, purpose `sftp:<enterpriseId>:<what>`). */
export interface SftpImportRecord {
  enterpriseId: string;
  host: string;
  port: number;
  username: string;
  auth: { kind: 'password'; password: string } | { kind: 'key'; privateKey: string; passphrase?: string };
  remotePath: string;
  delimiter: (typeof SFTP_DELIMITERS)[number];
  mode: z.infer<typeof importModeSchema>;
  schedule: string;
  timezone?: string;
  enabled: boolean;
  hostKey?: HostKeyPin;
  createdAt: number;
  updatedAt?: number;
}

/** The configuration as the API answers it. */
export const publicSftpImportSchema = z.object({
  enterpriseId: entityIdSchema,
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  hasPassword: z.boolean(),
  hasPrivateKey: z.boolean(),
  hasPassphrase: z.boolean(),
  remotePath: z.string(),
  delimiter: sftpDelimiterSchema,
  mode: importModeSchema,
  schedule: z.string(),
  timezone: z.string().optional(),
  enabled: z.boolean(),
  hostKey: hostKeyPinSchema.optional().describe("the server's host key pinned on the first connection; another key is refused until this is forgotten"),
  nextRunAt: epochMs.optional().describe('when the schedule runs next (enabled only)'),
  createdAt: epochMs,
  updatedAt: epochMs.optional(),
});
export type PublicSftpImport = z.infer<typeof publicSftpImportSchema>;

export function publicSftpImport(r: SftpImportRecord, now: number): PublicSftpImport {
  const next = r.enabled ? nextRunAfter(r.schedule, r.timezone ?? 'UTC', now) : undefined;
  return {
    enterpriseId: r.enterpriseId,
    host: r.host,
    port: r.port,
    username: r.username,
    hasPassword: r.auth.kind === 'password',
    hasPrivateKey: r.auth.kind === 'key',
    hasPassphrase: r.auth.kind === 'key' && r.auth.passphrase !== undefined,
    remotePath: r.remotePath,
    delimiter: r.delimiter,
    mode: r.mode,
    schedule: r.schedule,
    ...(r.timezone !== undefined ? { timezone: r.timezone } : {}),
    enabled: r.enabled,
    ...(r.hostKey ? { hostKey: r.hostKey } : {}),
    ...(next !== undefined ? { nextRunAt: next } : {}),
    createdAt: r.createdAt,
    ...(r.updatedAt !== undefined ? { updatedAt: r.updatedAt } : {}),
  };
}

export const runProblemSchema = z.object({ line: z.number().int().optional(), column: z.string().optional(), problem: z.string() });

/** One run of an import, as stored and answered. */
export const sftpImportRunSchema = z.object({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  trigger: z.enum(['schedule', 'manual']),
  startedAt: epochMs,
  endedAt: epochMs,
  outcome: z.enum(['ok', 'failed', 'skipped']),
  mode: importModeSchema,
  rows: z.number().int(),
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
  unchanged: z.number().int(),
  kept: z.array(z.object({ id: z.string(), personnelId: z.string().optional(), reason: z.string() })).describe('replace: contacts not in the file kept because something live names them'),
  errors: z.array(runProblemSchema).describe('why the run failed or was skipped; bad rows by line and column'),
  bytes: z.number().int().optional().describe('size of the file fetched'),
  /** Who asked for a manual run. */
  by: z.string().optional(),
});
export type SftpImportRun = z.infer<typeof sftpImportRunSchema>;
export type RunProblem = z.infer<typeof runProblemSchema>;

/** Runs kept per enterprise (the oldest go first). */
export const RUNS_KEPT = 50;
