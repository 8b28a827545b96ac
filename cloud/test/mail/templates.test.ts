// Every template in English and French through a real SMTP server, parsed back with mailparser: the subject (UTF-8
// intact), a key line of the text, the HTML part, the code's image (decoded back to the code) and a stable Message-ID.
import t from 'tap';
import type { ParsedMail } from 'mailparser';
import { validateConfig } from '../../src/config/config.ts';
import type { MailContent } from '../../src/mail/content.ts';
import { smtpMailer } from '../../src/mail/mailer.ts';
import { renderMail } from '../../src/mail/templates.ts';
import { decodePng } from '../http/barcode-decode.ts';
import { peerMailConfig, startSmtpPeer } from './smtp-peer.ts';

const AT = Date.UTC(2027, 2, 4, 14, 30);
const place = { bank: 'Lobby', location: 'HQ, 1 Main Street', lockerNumber: 12 };
const prefs = 'https://lockers.example.com/preferences/tok';
const link = 'https://lockers.example.com/set-password/secret-token';

type Case = { content: MailContent; subject: RegExp; line: RegExp; image?: { format: 'qrcode' | 'code128'; text: string } };

function cases(lang: 'en' | 'fr'): Case[] {
  const en = lang === 'en';
  const g = { name: en ? 'Ada Lovelace' : 'Élodie Brûlé', language: lang, preferencesUrl: prefs };
  const qr = { format: 'qrcode' as const, text: '482913' };
  return [
    {
      content: { ...g, kind: 'parcel-ready', reservationKind: 'package', place, code: '482913', expiresAt: AT, trackingIds: ['1Z999'] },
      subject: en ? /^Your parcel is ready for pickup at Lobby$/ : /^Votre colis est prêt à être retiré à Lobby$/,
      line: en ? /Your pickup code: 482913/ : /Votre code de retrait : 482913/,
      image: qr,
    },
    {
      content: { ...g, kind: 'reminder', reservationKind: 'package', place, code: '482913', expiresAt: AT, since: AT - 3 * 86_400_000 },
      subject: en ? /^Reminder: your parcel is waiting at Lobby$/ : /^Rappel : votre colis vous attend à Lobby$/,
      line: en ? /has been waiting since 1 March 2027/ : /vous attend depuis le 1 mars 2027/,
      image: qr,
    },
    {
      content: { ...g, kind: 'expiring-soon', reservationKind: 'package', place, code: '482913', expiresAt: AT },
      subject: en ? /^Your parcel must be collected by 4 March 2027 at 14:30 UTC$/ : /^Votre colis doit être retiré avant le 4 mars 2027 à 14:30 UTC$/,
      line: en ? /goes back to the mailroom/ : /retournera au service courrier/,
      image: qr,
    },
    {
      content: { ...g, kind: 'expired', place, at: AT },
      subject: en ? /^Your parcel was returned to the mailroom$/ : /^Votre colis a été rapporté au service courrier$/,
      line: en ? /Ask the mailroom for it/ : /Demandez-le au service courrier/,
    },
    {
      content: { ...g, kind: 'picked-up', place, at: AT },
      subject: en ? /^Receipt: your parcel was picked up$/ : /^Reçu : votre colis a été retiré$/,
      line: en ? /Picked up on 4 March 2027 at 14:30 UTC from Lobby, HQ, 1 Main Street, locker 12/ : /Retiré le 4 mars 2027 à 14:30 UTC : Lobby, HQ, 1 Main Street, casier 12/,
    },
    {
      content: { ...g, kind: 'drop-off-code', reservationKind: 'return', place, code: '771204', expiresAt: AT },
      subject: en ? /^Your code to drop off a return at Lobby$/ : /^Votre code pour déposer un retour à Lobby$/,
      line: en ? /Your drop-off code: 771204/ : /Votre code de dépôt : 771204/,
      image: { format: 'qrcode', text: '771204' },
    },
    {
      content: { ...g, kind: 'storage', place, code: '55012345', endsAt: AT },
      subject: en ? /^Your storage locker is reserved at Lobby$/ : /^Votre casier de consigne est réservé à Lobby$/,
      line: en ? /Your PIN: 55012345/ : /Votre code PIN : 55012345/,
      image: { format: 'code128', text: '55012345' },
    },
    {
      content: { name: g.name, language: lang, kind: 'welcome', link, expiresAt: AT },
      subject: en ? /^Welcome to Portier: set your password$/ : /^Bienvenue sur Portier : choisissez votre mot de passe$/,
      line: en ? /Set my password: https:\/\/lockers\.example\.com\/set-password\/secret-token/ : /Choisir mon mot de passe : https:\/\/lockers/,
    },
    {
      content: { name: g.name, language: lang, kind: 'password-reset', link, expiresAt: AT },
      subject: en ? /^Reset your Portier password$/ : /^Réinitialisez votre mot de passe Portier$/,
      line: en ? /The link works once, until 4 March 2027/ : /Le lien ne fonctionne qu’une fois, jusqu’au 4 mars 2027/,
    },
    {
      content: { name: g.name, language: lang, kind: 'import-failed', enterprise: 'Acme', at: AT, problem: 'line 3: Duplicate Personnel ID' },
      subject: en ? /^Address book import failed: Acme$/ : /^Échec de l’import du carnet d’adresses : Acme$/,
      line: /line 3: Duplicate Personnel ID/,
    },
  ];
}

t.test('every template in both languages arrives whole through SMTP', async (t) => {
  const peer = await startSmtpPeer();
  t.teardown(() => peer.close());
  const cfg = validateConfig({ mail: peerMailConfig(peer) });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.problems));
  const mailer = smtpMailer(cfg.config.mail!);
  t.teardown(() => mailer.close());
  const all = [...cases('en'), ...cases('fr')];
  for (const [i, c] of all.entries()) await mailer.send({ messageId: `mail-${i}`, to: 'someone@example.org' }, await renderMail(c.content));
  const got = await peer.received(all.length);
  for (const [i, c] of all.entries()) {
    const m: ParsedMail = got[i]!;
    const what = `${c.content.language} ${c.content.kind}`;
    t.match(m.subject, c.subject, `${what}: subject`);
    t.match(m.text, c.line, `${what}: key line in the text part`);
    t.match(String(m.html), new RegExp(`<html lang="${c.content.language}">`), `${what}: an HTML part in its language`);
    t.equal(m.messageId, `<mail-${i}@example.com>`, `${what}: the Message-ID the outbox chose`);
    t.same(m.from?.value, [{ name: 'Portier', address: 'lockers@example.com' }], `${what}: from`);
    const contactMessage = 'preferencesUrl' in c.content;
    t.equal(m.text?.includes(prefs), contactMessage, `${what}: a preferences link exactly when it goes to a contact`);
    if (c.image) {
      t.equal(m.attachments.length, 1, `${what}: one image`);
      const a = m.attachments[0]!;
      t.equal(a.contentType, 'image/png');
      t.equal(a.contentDisposition, 'inline', `${what}: shown inline`);
      t.match(String(m.html), `cid:${a.cid}`, `${what}: the HTML shows it`);
      t.same(decodePng(a.content), c.image, `${what}: the image reads back as the code`);
    } else t.equal(m.attachments.length, 0, `${what}: no image`);
  }
});

t.test('text is escaped in the HTML part', async (t) => {
  const r = await renderMail({ name: '<b>Eve</b>', language: 'en', kind: 'expired', place: { ...place, bank: 'A & B' }, at: AT });
  t.match(r.html, 'Hello &lt;b&gt;Eve&lt;/b&gt;,');
  t.match(r.html, 'A &amp; B');
  t.notMatch(r.html, '<b>Eve');
});

t.test("own words: a paragraph naming a value the message lacks is left out; the image follows the content, not the words", async (t) => {
  const own = { subject: 'Ready: {{item}}', body: 'Hi {{recipientName}},\n\nCode {{pickupCode}}\n\nTracking {{trackingIds}}\n\n{{preferencesLink}}\n\nBye' };
  const content: MailContent = { name: 'Ada', language: 'en', preferencesUrl: prefs, kind: 'parcel-ready', reservationKind: 'package', place, expiresAt: AT, trackingIds: [] };
  const without = await renderMail(content, own);
  t.equal(without.text, `Hi Ada,\n\nChange your notification preferences: ${prefs}\n\nBye\n`, 'no code, no tracking: their paragraphs left out; the link where the words put it');
  t.equal(without.attachments.length, 0, 'no code, no image');
  t.match(without.html, `<p><a href="${prefs}">Change your notification preferences</a></p>`);
  const withCode = await renderMail({ ...content, code: '482913' }, { subject: 'Ready', body: 'Your parcel is here.' });
  t.equal(withCode.attachments.length, 1, 'words without the code: the QR image still comes with the code in the content');
  t.equal(withCode.text, `Your parcel is here.\n\nChange your notification preferences: ${prefs}\n`, 'the preferences link added at the end');
  const broken = await renderMail(content, { subject: 'x {{nope}}', body: 'y' });
  t.equal(broken.subject, 'Your parcel is ready for pickup at Lobby', 'words no longer valid for the kind: the built-in ones');
});
