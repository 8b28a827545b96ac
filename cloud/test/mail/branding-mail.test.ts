// E-mails in their enterprise's branding, through a real SMTP server parsed back with mailparser: the colours of the
// bank the message is about (its override, else the enterprise's) in the HTML, the PNG logo as an inline part shown
// by cid: beside the code's image; an SVG logo left out (mail clients do not show it) with the name in its place;
// no branding, the plain message as before.
import t from 'tap';
import { validateConfig } from '../../src/config/config.ts';
import type { MailContent } from '../../src/mail/content.ts';
import { mailBrandOf } from '../../src/mail/brand.ts';
import { smtpMailer } from '../../src/mail/mailer.ts';
import { renderMail } from '../../src/mail/templates.ts';
import { bankModel, admin } from '../bridge/helpers.ts';
import { GOOD_SVG, pngOf } from '../branding/logo-files.ts';
import { peerMailConfig, startSmtpPeer } from './smtp-peer.ts';

const AT = Date.UTC(2027, 2, 4, 14, 30);
const CONTENT: MailContent = { name: 'Ada', language: 'en', kind: 'parcel-ready', reservationKind: 'package', place: { bank: 'Lobby', location: 'HQ', lockerNumber: 3 }, code: '482913', expiresAt: AT, trackingIds: ['1Z'] };
const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#fafafa', text: '#1a1a1a' };
const DARK = { primary: '#ffcc00', onPrimary: '#000000', background: '#101010', text: '#f0f0f0' };

t.test('the branding of the message: enterprise, bank override, PNG inline, SVG left out, none', async (t) => {
  const s = await bankModel();
  t.equal(mailBrandOf(s.store, 'ent', 'b1'), undefined, 'no branding: none');
  const png = pngOf(60, 20);
  const logo = await s.branding.upload('ent', 'image/png', png, admin);
  await s.branding.setEnterprise('ent', { colours: COLOURS, logo: logo.sha256 }, admin);
  await s.branding.setBank('b2', { colours: DARK }, admin);
  const b1 = mailBrandOf(s.store, 'ent', 'b1')!;
  t.same(b1.colours, COLOURS);
  t.ok(b1.logo?.equals(png), 'the logo file');
  t.equal(b1.name, 'Acme');
  t.same(mailBrandOf(s.store, 'ent', 'b2')?.colours, DARK, "a bank's override");
  t.same(mailBrandOf(s.store, 'ent')?.colours, COLOURS, 'an account message: the enterprise');
  const svg = await s.branding.upload('ent', 'image/svg+xml', Buffer.from(GOOD_SVG), admin);
  await s.branding.setEnterprise('ent', { colours: COLOURS, logo: svg.sha256 }, admin);
  t.equal(mailBrandOf(s.store, 'ent', 'b1')?.logo, undefined, 'an SVG logo is not sent');

  const plain = await renderMail(CONTENT);
  t.notMatch(plain.html, /style=|logo@portier/, 'no branding: the plain message');
  const named = await renderMail(CONTENT, undefined, mailBrandOf(s.store, 'ent', 'b1'));
  t.match(named.html, '<strong>Acme</strong>', 'the name where the SVG logo would be');
  t.equal(named.attachments.length, 1, 'only the code');
});

t.test('a branded message arrives whole through SMTP with its logo inline', async (t) => {
  const peer = await startSmtpPeer();
  t.teardown(() => peer.close());
  const cfg = validateConfig({ mail: peerMailConfig(peer) });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.problems));
  const mailer = smtpMailer(cfg.config.mail!);
  t.teardown(() => mailer.close());
  const png = pngOf(60, 20);
  await mailer.send({ messageId: 'branded-1', to: 'ada@example.org' }, await renderMail(CONTENT, undefined, { name: 'Acme <Mail>', colours: COLOURS, logo: png }));
  const [m] = await peer.received(1);
  const html = String(m!.html);
  t.match(html, 'background-color:#004080;color:#ffffff', 'the band in the primary pair');
  t.match(html, 'background-color:#fafafa;color:#1a1a1a', 'the body in the background pair');
  t.match(html, 'alt="Acme &lt;Mail&gt;"', "the logo's text alternative, escaped");
  t.match(m!.text, /Your pickup code: 482913/, 'the text part unchanged');
  const logo = m!.attachments.find((a) => a.cid === 'logo@portier');
  t.ok(logo, 'the logo part');
  t.equal(logo?.contentDisposition, 'inline');
  t.ok(logo?.content.equals(png), 'the logo file as stored');
  t.match(html, 'src="cid:logo@portier"');
  t.equal(m!.attachments.length, 2, 'the logo and the code');
});
