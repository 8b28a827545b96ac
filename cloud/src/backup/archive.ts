/**
 * The backup file format: JSON lines (UTF-8, one JSON object per line), chosen so a backup streams through HTTP and
 * can be read with a line reader, with no dependency beyond node:
 *
 *   {"portierBackup":1,"createdAt":"<ISO time>","dataFormat":<data-folder format>,"writtenBy":"<portier-cloud version>"}
 *   {"file":"<path in the data folder>","mode":<file mode>}      one per file, then its bytes:
 *   {"chunk":"<base64 of at most 48 KiB>"}                        ... as many as needed
 *   {"end":"<path>","bytes":<n>,"sha256":"<hex>"}
 *   {"manifest":[{"path","bytes","sha256","mode"}, ...]}          last line: every file, a backup without it is cut short
 *
 * The backup holds the data folder's secrets exactly as the folder does (identities' hashes, the command key, sealed
 * codes and credential keys); the secrets key that unseals the codes is kept outside the data folder and is not in it.
 */
import { z } from 'zod';

export const BACKUP_FORMAT = 1;
/** Raw bytes per chunk line (a multiple of 3: no base64 padding inside a file). */
export const CHUNK_BYTES = 48 * 1024;

const relPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.split('/').some((s) => s === '' || s === '.' || s === '..') && !p.includes('\\') && !p.includes('\0'), 'not a plain path inside the folder');

export const HeaderLine = z.strictObject({ portierBackup: z.literal(BACKUP_FORMAT), createdAt: z.string(), dataFormat: z.number().int().min(1), writtenBy: z.string() });
export const FileLine = z.strictObject({ file: relPath, mode: z.number().int().min(0).max(0o777) });
export const ChunkLine = z.strictObject({ chunk: z.base64() });
export const EndLine = z.strictObject({ end: relPath, bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export const ManifestEntry = z.strictObject({ path: relPath, bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/), mode: z.number().int() });
export const ManifestLine = z.strictObject({ manifest: z.array(ManifestEntry) });
export const BodyLine = z.union([FileLine, ChunkLine, EndLine, ManifestLine]);

export type BackupHeader = z.infer<typeof HeaderLine>;
export type ManifestEntry = z.infer<typeof ManifestEntry>;
