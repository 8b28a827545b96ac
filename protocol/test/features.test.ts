// Controller features: a birth with and without `features` parses (a first-release birth unchanged), a newer
// controller's unknown feature names do not make its birth unreadable (they are ignored), and a desired state loses
// exactly the fields of the features a controller did not announce, nothing else.
import t from 'tap';
import {
  CONTROLLER_FEATURES,
  desiredStateFor,
  desiredStateHash,
  FEATURE_FIELDS,
  featuresUsedBy,
  knownFeatures,
  parsePayload,
  type DesiredState,
} from '../src/index.ts';
import { sampleDesiredState } from './fixtures/samples.ts';

const BIRTH = { v: 1, state: 'online', at: 1_700_000_000_000, firmware: '0.1.0', bootId: 'boot-1' };
const BRANDING = { colours: { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' } };

t.test('a birth with and without features parses, unchanged', async (t) => {
  for (const [what, birth] of [
    ['first release (no features)', BIRTH],
    ['with branding', { ...BIRTH, features: ['branding'] }],
    ['with a feature this release does not know', { ...BIRTH, features: ['branding', 'kiosk-voice-2'] }],
    ['with none', { ...BIRTH, features: [] }],
  ] as const) {
    const r = parsePayload('status', JSON.stringify(birth));
    t.ok(r.ok, `${what}: parses`);
    if (r.ok) t.same(r.value, birth, `${what}: nothing added or dropped`);
  }
  const old = parsePayload('status', JSON.stringify(BIRTH));
  t.ok(old.ok && old.value.state === 'online' && !('features' in old.value), 'no features key appears on a first-release birth');
});

t.test('a features list that is not a list of names is refused', async (t) => {
  for (const [what, features] of [
    ['not a list', 'branding'],
    ['a number in it', ['branding', 3]],
    ['a name with spaces', ['brand ing']],
    ['upper case', ['Branding']],
    ['a name too long', ['a'.repeat(41)]],
    ['too many', Array.from({ length: 33 }, (_, i) => `f${i}`)],
  ] as const) {
    const r = parsePayload('status', JSON.stringify({ ...BIRTH, features }));
    t.notOk(r.ok, what);
    if (!r.ok) t.equal(r.code, 'INVALID', `${what}: INVALID`);
  }
});

t.test('knownFeatures keeps the names this release knows, each once', async (t) => {
  t.same(knownFeatures(undefined), [], 'absent: none');
  t.same(knownFeatures([]), []);
  t.same(knownFeatures(['kiosk-voice-2', 'branding', 'branding']), ['branding'], 'unknown ignored, duplicates folded');
  t.same([...CONTROLLER_FEATURES], Object.keys(FEATURE_FIELDS), 'every feature names its field');
});

t.test('desiredStateFor drops the fields of features not announced, and only those', async (t) => {
  const plain = sampleDesiredState();
  const branded: DesiredState = { ...plain, branding: BRANDING };
  t.equal(desiredStateFor(plain, []), plain, 'nothing to drop: the same state');
  t.equal(desiredStateFor(branded, ['branding']), branded, 'announced: the same state');
  const stripped = desiredStateFor(branded, []);
  t.notOk('branding' in stripped, 'not announced: no branding key at all');
  t.same(stripped, plain, 'every other field kept');
  t.equal(desiredStateHash(stripped), desiredStateHash(plain), 'hashed as a state built without branding');
  t.ok('branding' in branded, 'the built state itself is not changed');
  t.same(featuresUsedBy(branded), ['branding']);
  t.same(featuresUsedBy(plain), []);
});
