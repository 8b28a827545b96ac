import type { z } from 'zod';
import { channelSchemas, MAX_PAYLOAD_BYTES, type MessageOf } from './schemas.ts';
import type { Channel } from './topics.ts';

export type ParseErrorCode = 'TOO_LARGE' | 'NOT_UTF8' | 'NOT_JSON' | 'INVALID';

/** Why a payload was rejected; `field` is the dotted path of the first bad field (`body.door`). */
export interface ParseFailure {
  ok: false;
  code: ParseErrorCode;
  field?: string;
  message: string;
  /**
   * The decoded JSON of a payload that failed only its schema (code INVALID), so a receiver can still read an id
   * from it without parsing the payload a second time. Never set for a payload refused for its size or encoding.
   */
  decoded?: unknown;
}
export type ParseResult<T> = { ok: true; value: T } | ParseFailure;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Dotted path of a zod issue path: `body.doors.3.door`, or `(root)`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** Turns a zod error into a one-line reason naming the field. */
export function describeZodError(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '(root)', message: 'invalid' };
  let path = issue.path;
  let message = issue.message;
  // An unknown key is reported on the object; name the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    path = [...issue.path, issue.keys[0] as string];
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  const field = fieldPath(path);
  return { field, message: `${field}: ${message}` };
}

/** Validates an already-decoded value against a schema with the same error shape as parsePayload. */
export function parseValue<S extends z.ZodType>(schema: S, value: unknown): ParseResult<z.infer<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const { field, message } = describeZodError(r.error);
  return { ok: false, code: 'INVALID', field, message };
}

/**
 * Parses one MQTT payload of `channel`: size limit, strict UTF-8, JSON, then the channel's zod schema.
 * Never throws: bad input comes back as a ParseFailure with a reason to log.
 *
 * The size is judged on the byte length alone, before any decoding or JSON.parse: a flood of oversized payloads costs
 * the receiver a length comparison each, not a parse. This is the one entry point every receiver (controller and
 * cloud) goes through, so nothing reads an oversized payload's content.
 */
export function parsePayload<C extends Channel>(channel: C, payload: Uint8Array | string): ParseResult<MessageOf<C>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const max = MAX_PAYLOAD_BYTES[channel];
  if (size > max) return { ok: false, code: 'TOO_LARGE', message: `payload of ${size} bytes exceeds ${max} for ${channel}` };
  let text: string;
  if (typeof payload === 'string') text = payload;
  else {
    try {
      text = utf8.decode(payload);
    } catch {
      return { ok: false, code: 'NOT_UTF8', message: 'payload is not valid UTF-8' };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'NOT_JSON', message: `payload is not JSON: ${(err as Error).message}` };
  }
  const r = parseValue(channelSchemas[channel], value) as ParseResult<MessageOf<C>>;
  return r.ok ? r : { ...r, decoded: value };
}

/** Serialises a message for publishing after checking it against its schema (a sender never emits what a receiver would drop). */
export function encodePayload<C extends Channel>(channel: C, message: MessageOf<C>): Buffer {
  const r = parseValue(channelSchemas[channel], message);
  if (!r.ok) throw new TypeError(`refusing to send an invalid ${channel} message: ${r.message}`);
  const buf = Buffer.from(JSON.stringify(message), 'utf8');
  if (buf.byteLength > MAX_PAYLOAD_BYTES[channel]) throw new RangeError(`${channel} message of ${buf.byteLength} bytes is too large`);
  return buf;
}
