/**
 * A logo file as uploaded: its type by what the bytes are (a PNG by its signature, an SVG parsed strictly), within the
 * size limit; answered with the bytes to store (an SVG re-serialised from what was checked) and their SHA-256.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import { MAX_LOGO_BYTES, type LogoRef, type LogoType } from './model.ts';
import { checkPng } from './png-check.ts';
import { checkSvg } from './svg-check.ts';

export interface CheckedLogo extends LogoRef {
  data: Buffer;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The logo to store, or a VALIDATION error naming `field` with the reason. */
export function checkLogo(type: string, data: Buffer, field = 'body'): CheckedLogo {
  if (data.length === 0) throw new DomainError('VALIDATION', 'the logo file is empty', field);
  if (data.length > MAX_LOGO_BYTES) throw new DomainError('VALIDATION', `the logo file is ${Math.ceil(data.length / 1024)} kB; at most ${MAX_LOGO_BYTES / 1024} kB`, field);
  let out: Buffer;
  let t: LogoType;
  if (type === 'image/png') {
    const r = checkPng(data);
    if ('problem' in r) throw new DomainError('VALIDATION', r.problem, field);
    out = data;
    t = 'image/png';
  } else if (type === 'image/svg+xml') {
    const r = checkSvg(data);
    if ('problem' in r) throw new DomainError('VALIDATION', r.problem, field);
    out = r.svg;
    t = 'image/svg+xml';
    if (out.length > MAX_LOGO_BYTES) throw new DomainError('VALIDATION', `the logo file is over ${MAX_LOGO_BYTES / 1024} kB`, field);
  } else {
    throw new DomainError('VALIDATION', `a logo is a PNG (image/png) or SVG (image/svg+xml) file, not ${type || 'an unnamed type'}`, field);
  }
  return { sha256: sha256Hex(out), type: t, bytes: out.length, data: out };
}
