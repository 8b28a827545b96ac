// TOTP against the test vectors of RFC 6238 appendix B (SHA-1, the secret "12345678901234567890"), base32 both ways
// (RFC 4648 section 10), and the window: the step before and after are accepted, a used step or an older one is not.
import t from 'tap';
import { base32Decode, base32Encode, hotp, matchTotp, totpStep } from '../../src/auth/totp.ts';

const SECRET = Buffer.from('12345678901234567890', 'ascii');

t.test('RFC 6238 appendix B, SHA-1, last six digits', async (t) => {
  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, code] of vectors) t.equal(hotp(SECRET, totpStep(seconds * 1000)), code.slice(2), `T = ${seconds}`);
});

t.test('base32 per RFC 4648', async (t) => {
  const cases: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [plain, encoded] of cases) {
    t.equal(base32Encode(Buffer.from(plain)), encoded);
    t.equal(base32Decode(`${encoded.toLowerCase()}==`)?.toString(), plain, 'decoded whatever the case and padding');
  }
  t.equal(base32Decode('MZ1W'), undefined, 'a character outside the alphabet');
});

t.test('the window, and a code used once', async (t) => {
  const secret = base32Encode(SECRET);
  const at = 1111111111_000;
  const code = (step: number) => hotp(SECRET, step);
  const now = totpStep(at);
  t.equal(matchTotp(secret, code(now), at), now);
  t.equal(matchTotp(secret, code(now - 1), at), now - 1, 'the step before');
  t.equal(matchTotp(secret, code(now + 1), at), now + 1, 'the step after');
  t.equal(matchTotp(secret, code(now - 2), at), undefined, 'two steps back');
  t.equal(matchTotp(secret, code(now), at, now), undefined, 'the step already used');
  t.equal(matchTotp(secret, code(now - 1), at, now), undefined, 'an older step');
  t.equal(matchTotp(secret, '12345', at), undefined, 'five digits');
  t.equal(matchTotp('not base32!', code(now), at), undefined, 'a broken secret');
});
