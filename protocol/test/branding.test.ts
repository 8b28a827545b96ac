// Branding in the desired state: colours as #rrggbb, a logo by reference only (https/http URL, SHA-256, type, at most
// 256 kB), and a state with and without branding both signed, verified and hashed as they were written.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { desiredStateHash, MAX_LOGO_BYTES, parsePayload, signMessage, verifyMessage } from '../src/index.ts';
import { sampleDesiredState } from './fixtures/samples.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const desiredWith = (state: Record<string, unknown>): string =>
  JSON.stringify(signMessage({ v: 1 as const, bankId: 'bank-1', controllerId: 'ctl-1', version: 3, issuedAt: 1_700_000_000_000, state }, privateKey));
const BRANDING = {
  colours: { primary: '#004080', onPrimary: '#FFFFFF', background: '#ffffff', text: '#1a1a1a' },
  logo: { url: 'https://lockers.example.com/branding/' + 'a'.repeat(64), sha256: 'a'.repeat(64), type: 'image/png', bytes: 1234 },
};

t.test('a desired state with and without branding: parsed unchanged, verified, hashed the same', async (t) => {
  for (const [what, state] of [
    ['without', sampleDesiredState()],
    ['with', { ...sampleDesiredState(), branding: BRANDING }],
    ['with colours only', { ...sampleDesiredState(), branding: { colours: BRANDING.colours } }],
  ] as const) {
    const text = desiredWith(state);
    const r = parsePayload('desired', text);
    t.ok(r.ok, what);
    if (!r.ok) continue;
    t.same(r.value, JSON.parse(text), `${what}: no field added on parse`);
    t.ok(verifyMessage(r.value, publicKey), `${what}: the signature verifies`);
    t.equal(desiredStateHash(r.value.state), desiredStateHash(state as never), `${what}: the hash is the sender's`);
  }
  t.ok(desiredWith({ ...sampleDesiredState(), branding: BRANDING }).length < 8 * 1024 + JSON.stringify(sampleDesiredState()).length, 'a reference, never the image');
});

t.test('bad branding is refused naming the field', async (t) => {
  const cases: [unknown, string][] = [
    [{ colours: { ...BRANDING.colours, primary: 'blue' } }, 'state.branding.colours.primary'],
    [{ colours: { ...BRANDING.colours, text: '#12345' } }, 'state.branding.colours.text'],
    [{ logo: { ...BRANDING.logo, url: 'file:///etc/passwd' } }, 'state.branding.logo.url'],
    [{ logo: { ...BRANDING.logo, sha256: 'A'.repeat(64) } }, 'state.branding.logo.sha256'],
    [{ logo: { ...BRANDING.logo, type: 'image/gif' } }, 'state.branding.logo.type'],
    [{ logo: { ...BRANDING.logo, bytes: MAX_LOGO_BYTES + 1 } }, 'state.branding.logo.bytes'],
    [{ logo: { ...BRANDING.logo, data: 'iVBOR' } }, 'state.branding.logo'],
  ];
  for (const [branding, field] of cases) {
    const r = parsePayload('desired', desiredWith({ ...sampleDesiredState(), branding }));
    t.notOk(r.ok, field);
    if (!r.ok) t.match(r.field, field, `names ${field}`);
  }
});
