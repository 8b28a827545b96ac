// Shared by the crash tests of this folder.

/** Small seeded PRNG (xorshift32) so a failing run can be replayed with its seed. */
export function prng(s: number): () => number {
  let x = s >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}
