// The code vault: sealed codes open only under the same secrets key and for the same kind; lookups are keyed.
import t from 'tap';
import { CodeVault } from '../../src/domain/code-vault.ts';

t.test('a sealed code opens with its key and kind only; a tampered one does not open', async (t) => {
  const vault = CodeVault.fromKey(Buffer.alloc(32, 1));
  const sealed = vault.seal('staff-pin', '482913');
  t.notOk(sealed.includes('482913'), 'not in clear');
  t.not(vault.seal('staff-pin', '482913'), sealed, 'a fresh IV each time');
  t.equal(vault.open('staff-pin', sealed), '482913');
  t.equal(vault.open('pickup-code', sealed), undefined, 'bound to its kind');
  t.equal(CodeVault.fromKey(Buffer.alloc(32, 2)).open('staff-pin', sealed), undefined, 'another secrets key opens nothing');
  const body = sealed.split('.');
  const flipped = Buffer.from(body[2]!, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  t.equal(vault.open('staff-pin', `${body[0]}.${body[1]}.${flipped.toString('base64url')}`), undefined, 'tampered: refused');
  t.equal(vault.open('staff-pin', 'v1.garbage'), undefined);
});

t.test('lookups and controller keys: keyed under the secrets key, bound to the controller', async (t) => {
  const a = CodeVault.fromKey(Buffer.alloc(32, 1));
  const b = CodeVault.fromKey(Buffer.alloc(32, 2));
  t.equal(a.lookup('pickup-code', '123456'), a.lookup('pickup-code', '123456'), 'stable');
  t.not(a.lookup('pickup-code', '123456'), b.lookup('pickup-code', '123456'), 'depends on the secrets key');
  t.not(a.lookup('pickup-code', '123456'), a.lookup('staff-pin', '123456'), 'and on the kind');
  t.not(a.keyId, b.keyId);
  const key = Buffer.alloc(32, 7);
  const sealed = a.sealKey('ctl-1', key);
  t.same(a.openKey('ctl-1', sealed), key);
  t.equal(a.openKey('ctl-2', sealed), undefined, "another controller's record cannot take it");
  t.throws(() => CodeVault.fromKey(Buffer.alloc(16)), /32 bytes/);
});
