// Offline guessing, attacked from outside: whoever holds everything a controller stores (its data folder with the
// cached desired state) and everything the broker carries (the retained `desired` messages), or separately everything
// in the cloud's data folder, cannot confirm a correct pickup code or staff PIN: no salt and parameters to run the
// bank-salt scrypt with, nothing that matches it, and no key in the material that makes any keyed hash match. The
// secrets that do (the controller's credential key in its config file, the cloud's secrets key file) are outside the
// folders, and with them (the legitimate path) the same checks succeed, so the checks below would see a leak.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  credentialHashParamsSchema,
  keyedCredentialHash,
  parseCredentialKey,
  scryptCredentialHash,
  type CredentialKind,
  type ScryptCredentialHashParams,
} from '@portier/protocol';
import { CodeVault } from '@portier/cloud';
import { defaultSecretsKeyPath } from '@portier/cloud';
import { DEMO_ADMIN, api, expectCondition } from '../helpers.ts';
import { doorsOpen, droppedParcel, kioskWorld, txStored } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

/** Every file under `dir`, as text. */
function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) for (const [k, v] of filesOf(p)) out.set(k, v);
    else out.set(p, readFileSync(p, 'utf8'));
  }
  return out;
}

/** Every object anywhere in `text`'s JSON documents (a file may hold one document or one per line). */
function objectsIn(text: string): unknown[] {
  const docs: unknown[] = [];
  // Journal lines carry a checksum in front of their JSON: an attacker reads past it.
  for (const chunk of [text, ...text.split('\n').map((l) => l.replace(/^#[0-9a-f]{8} /, ''))]) {
    try {
      docs.push(JSON.parse(chunk));
    } catch {
      // not JSON
    }
  }
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.startsWith('{')) {
      try {
        walk(JSON.parse(v));
      } catch {
        // a plain string
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      out.push(v);
      Object.values(v).forEach(walk);
    }
  };
  docs.forEach(walk);
  return out;
}

/** Every scrypt parameter set an attacker could find in `texts` (the old attack's input: a bank's salt and cost). */
function scryptParamsIn(texts: string[]): ScryptCredentialHashParams[] {
  return texts.flatMap(objectsIn).flatMap((o) => {
    const r = credentialHashParamsSchema.safeParse(o);
    return r.success && r.data.alg === 'scrypt' ? [r.data] : [];
  });
}

/** Every 32-byte value an attacker could try as a key: base64url tokens of 43 characters, hex of 64. */
function candidateKeys(texts: string[]): Buffer[] {
  const out = new Map<string, Buffer>();
  for (const text of texts) {
    for (const m of text.matchAll(/[A-Za-z0-9_-]{43}/g)) {
      const k = parseCredentialKey(m[0]);
      if (k) out.set(k.toString('hex'), k);
    }
    for (const m of text.matchAll(/[0-9a-f]{64}/g)) out.set(m[0], Buffer.from(m[0], 'hex'));
  }
  return [...out.values()];
}

t.test('nothing a controller stores or the broker carries, nor the cloud data folder alone, confirms a correct code', async (t) => {
  const w = await kioskWorld(t);
  const pkg = await droppedParcel(t, w, 'GUESS-1');
  const adminId = (await w.cloud.auth.findUserByName(DEMO_ADMIN.user))!.id;
  const issued = await api(w.cloud, 'POST', '/staff-credentials', w.token, { role: 'operator', subjectId: adminId, kind: 'staff-pin', bankIds: [w.bankId] });
  t.equal(issued.status, 201, 'a staff PIN issued');
  const pin = issued.json.code as string;
  const secrets: Array<[CredentialKind, string]> = [['pickup-code', pkg.code], ['staff-pin', pin]];
  await expectCondition(() => w.bank.kiosk!.column.controller.link?.desired.desired?.state.credentials.some((c) => c.kind === 'staff-pin') ?? false, 5000, 'the PIN on the kiosk');
  const controllerDir = join(w.dir, 'controllers', w.kioskId);
  // The kiosk holds the PIN in memory first; its data folder and the broker's recording get it on their own time.
  const holdsPin = (texts: string[]): boolean => texts.some((s) => s.includes('"staff-pin"'));
  await expectCondition(
    () => holdsPin([...filesOf(controllerDir).values()]) && holdsPin(w.rec.received.filter((m) => m.channel === 'desired').map((m) => JSON.stringify(m.json))),
    10_000,
    "the PIN in the controller's data folder and in a desired message the broker carried",
  );

  // What the attacker has: the kiosk controller's data folder and every desired message the broker carried.
  const controllerFiles = [...filesOf(controllerDir).values()];
  const broker = w.rec.received.filter((m) => m.channel === 'desired').map((m) => JSON.stringify(m.json));
  t.ok(broker.length > 0 && controllerFiles.some((f) => f.includes('"credentials"')), 'the material holds the desired state');
  const stolen = [...controllerFiles, ...broker];
  const hashes = new Set(stolen.flatMap(objectsIn).flatMap((o) => (typeof o === 'object' && o !== null && 'hash' in o && typeof o.hash === 'string' ? [o.hash] : [])));
  t.ok(hashes.size >= secrets.length, 'credential hashes are in it');
  for (const [kind, code] of secrets) t.notOk(stolen.some((s) => s.includes(code)), `no ${kind} in clear`);

  // The old attack: one scrypt per guess under the bank's salt. No scrypt parameters are there any more.
  t.same(scryptParamsIn(stolen), [], 'no salt or scrypt cost to guess with');
  const bankParams = w.cloud.service.store.get('banks', w.bankId)!.credentialHash;
  for (const [kind, code] of secrets) t.notOk(hashes.has(scryptCredentialHash(kind, code, bankParams)), `even the bank's salt (not in the material) gives no ${kind} hash`);
  // A keyed hash needs the controller's key: nothing in the material is it.
  const keys = candidateKeys(stolen);
  t.ok(keys.length > 0, `${keys.length} 32-byte values in the material tried as keys`);
  for (const [kind, code] of secrets) {
    t.notOk(keys.some((k) => hashes.has(keyedCredentialHash(kind, code, k))), `no key in the material confirms the ${kind}`);
  }
  // The legitimate path: the key in the controller's config file (outside its data folder) confirms it...
  const config = readFileSync(w.p.files.get(w.kioskId)!, 'utf8');
  const realKey = parseCredentialKey(/credentialKey: (\S+)/.exec(config)![1]!)!;
  t.notOk(controllerFiles.some((f) => f.includes(realKey.toString('base64url'))), 'the key is not in the data folder');
  for (const [kind, code] of secrets) t.ok(hashes.has(keyedCredentialHash(kind, code, realKey)), `the controller's own key confirms the ${kind}`);
  // Separately: everything in the cloud's data folder (a backup, a copy of its volume), both codes live.
  const cloudFiles = [...filesOf(w.cloud.dataDir).values()];
  const cloudText = cloudFiles.join('\n');
  const live = secrets;
  for (const [kind, code] of secrets) t.notOk(cloudText.includes(`"${code}"`), `no ${kind} in clear`);
  const params = scryptParamsIn(cloudFiles);
  t.ok(params.length > 0, "the banks' legacy salts are there");
  for (const [kind, code] of live) {
    t.notOk(params.some((p) => cloudText.includes(scryptCredentialHash(kind, code, p))), `no bank-salt hash of the ${kind} under any salt in the folder`);
  }
  const cloudKeys = candidateKeys(cloudFiles);
  t.ok(cloudKeys.length > 0, `${cloudKeys.length} 32-byte values in the folder tried as keys`);
  for (const [kind, code] of live) {
    t.notOk(
      cloudKeys.some((k) => cloudText.includes(CodeVault.fromKey(k).lookup(kind, code)) || cloudText.includes(keyedCredentialHash(kind, code, k))),
      `no key in the folder confirms the ${kind}`,
    );
  }
  // The secrets key that does is beside the folder, not in it; with it, the cloud finds the PIN.
  const keyFile = defaultSecretsKeyPath(w.cloud.dataDir);
  const vault = CodeVault.fromKey(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url'));
  for (const [kind, code] of live) t.ok(cloudText.includes(vault.lookup(kind, code)), `the secrets key (outside the folder) confirms the ${kind}`);
  // And the legitimate path at the kiosk: the right code opens the door.
  const kiosk = w.bank.kiosk!;
  await kiosk.expectPage('home');
  await kiosk.type(pkg.code);
  await kiosk.column.expectDoor(pkg.door, true);
  t.same(doorsOpen(w.bank), [`1/${pkg.door}`], 'the right code opens the parcel\'s door');
  await txStored(w, 'the pickup', (x) => x.kind === 'pickup' && x.reservationIds.includes(pkg.reservationId));
  w.bank.closeAllDoors();

  w.rec.expectSchemasMatched(t);
});
