import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import {
  canonicalJson,
  generateCommandKeyPair,
  importPrivateKey,
  importPublicKey,
  KeyError,
  publicKeyPemOf,
  signMessage,
  verifyMessage,
} from '../src/index.ts';
import { samples, unsignedCommands } from './fixtures/samples.ts';

const pair = generateCommandKeyPair();
const priv = importPrivateKey(pair.privateKeyPem);
const pub = importPublicKey(pair.publicKeyPem);

/** Every leaf path of a JSON value, with a changed value for it. */
function mutations(value: unknown, path: string[] = []): Array<{ path: string[]; apply: (root: unknown) => unknown }> {
  const out: Array<{ path: string[]; apply: (root: unknown) => unknown }> = [];
  const set = (root: unknown, p: string[], v: unknown): unknown => {
    const copy = structuredClone(root) as Record<string, unknown>;
    let cur = copy as Record<string, unknown>;
    for (const k of p.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
    cur[p[p.length - 1] as string] = v;
    return copy;
  };
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...mutations(v, [...path, k]));
    if (!Array.isArray(value)) out.push({ path: [...path, '+added'], apply: (root) => set(root, [...path, 'added'], 1) });
    return out;
  }
  const changed = typeof value === 'number' ? value + 1 : typeof value === 'boolean' ? !value : `${String(value)}x`;
  out.push({ path, apply: (root) => set(root, path, changed) });
  return out;
}

t.test('canonical JSON is RFC 8785: sorted keys, no spaces', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [true, null, 'é'], c: { z: 1e21, y: 0.5 } }), '{"a":[true,null,"é"],"b":1,"c":{"y":0.5,"z":1e+21}}');
  t.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }), 'key order does not matter');
});

t.test('a signed envelope verifies, also after a JSON round trip with keys reordered', async (t) => {
  for (const cmd of unsignedCommands()) {
    const signed = signMessage(cmd, priv);
    t.ok(verifyMessage(signed, pub), `${cmd.type} verifies`);
    const reordered = Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(signed))).reverse());
    t.ok(verifyMessage(reordered, pub), `${cmd.type} verifies with keys in another order`);
  }
});

t.test('changing any field of any signed message breaks the signature', async (t) => {
  const all = samples(priv);
  const signedMessages = [...all.cmd, ...all.evtack, ...all.desired] as Record<string, unknown>[];
  let tried = 0;
  for (const msg of signedMessages) {
    t.ok(verifyMessage(msg, pub), 'original verifies');
    for (const m of mutations(msg)) {
      if (m.path[0] === 'sig') continue;
      const tampered = m.apply(msg) as Record<string, unknown>;
      t.notOk(verifyMessage(tampered, pub), `tampered ${m.path.join('.')} fails`);
      tried++;
    }
    const { sig: _s, ...unsigned } = msg;
    t.notOk(verifyMessage(unsigned, pub), 'missing sig fails');
    t.notOk(verifyMessage({ ...msg, sig: 'A'.repeat(86) }, pub), 'made-up sig fails');
    t.notOk(verifyMessage({ ...msg, sig: `${msg.sig as string}A` }, pub), 'overlong sig fails');
  }
  t.ok(tried > 60, `tried ${tried} tamperings`);
});

t.test('a signature by another key fails', async (t) => {
  const other = generateKeyPairSync('ed25519').privateKey;
  for (const cmd of unsignedCommands()) {
    t.notOk(verifyMessage(signMessage(cmd, other), pub), `${cmd.type} signed with a wrong key is refused`);
  }
});

t.test('key helpers: PEM round trip, wrong key types refused', async (t) => {
  t.equal(publicKeyPemOf(priv), pair.publicKeyPem);
  t.match(pair.privateKeyPem, /BEGIN PRIVATE KEY/);
  t.match(pair.publicKeyPem, /BEGIN PUBLIC KEY/);
  t.throws(() => importPublicKey('not a pem'), KeyError);
  t.throws(() => importPrivateKey('not a pem'), KeyError);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  t.throws(() => importPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()), /ed25519/);
  t.throws(() => importPrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), /ed25519/);
});
