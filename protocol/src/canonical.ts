import canonicalizeImport from 'canonicalize';

// canonicalize ships CommonJS with a default export; under NodeNext its type is the module namespace.
const canonicalizeFn = canonicalizeImport as unknown as (value: unknown) => string | undefined;

/** Canonical JSON (RFC 8785, JCS) of a JSON value: the bytes that get signed. */
export function canonicalJson(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError('value has no JSON representation');
  return out;
}
