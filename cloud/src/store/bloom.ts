/**
 * A small Bloom filter: "certainly not here" or "maybe here" for a key, in about 10 bits per key (1 % false
 * positives). History segments carry one over their ids, banks, recipients and types, so a query or a lookup by id
 * reads only the segments that may hold what it asks for, without an in-memory map of all history.
 */
import { createHash } from 'node:crypto';

const HASHES = 7;
const BITS_PER_KEY = 10;

/** Two 32-bit hashes of a key; the filter's k positions are h1 + i * h2 (Kirsch and Mitzenmacher). */
export type KeyHash = readonly [number, number];

export function hashKey(key: string): KeyHash {
  const d = createHash('md5').update(key).digest();
  return [d.readUInt32LE(0), (d.readUInt32LE(4) | 1) >>> 0];
}

export class Bloom {
  private constructor(private readonly bits: Uint8Array) {}

  static of(keys: Iterable<string>): Bloom {
    const hashes = [...new Set(keys)].map(hashKey);
    const size = Math.max(64, Math.ceil((hashes.length * BITS_PER_KEY) / 8) * 8);
    const b = new Bloom(new Uint8Array(size / 8));
    for (const h of hashes) b.add(h);
    return b;
  }

  static fromBase64(s: string): Bloom {
    return new Bloom(new Uint8Array(Buffer.from(s, 'base64')));
  }

  toBase64(): string {
    return Buffer.from(this.bits).toString('base64');
  }

  private add([h1, h2]: KeyHash): void {
    const m = this.bits.length * 8;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % m >>> 0;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  mayHave([h1, h2]: KeyHash): boolean {
    const m = this.bits.length * 8;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % m >>> 0;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}
