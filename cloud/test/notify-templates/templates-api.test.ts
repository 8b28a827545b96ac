// The notification routes as an administrator meets them: an unknown or malformed placeholder refused with its name
// (and a code kept out of a subject), the preview rendered with sample values and escaped HTML, own words listed then
// reset to the built-in ones, every change in the activity log; rules read and set; another enterprise's admin, a
// location-scoped admin and an operator reach none of it.
import t from 'tap';
import { apiCall, signedInUser, storeSnapshot, twoSitesApp, type ErrorReply } from '../http/helpers.ts';

interface Words {
  subject: string;
  body: string;
}
interface LanguageReply {
  builtIn: Words;
  own?: Words & { updatedAt: number };
}
interface ListReply {
  templates: { kind: string; placeholders: string[]; languages: { en: LanguageReply; fr: LanguageReply } }[];
}

t.test('notification templates and rules through the API', async (t) => {
  const ta = await twoSitesApp(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  const call = (method: string, url: string, body?: unknown, who: Record<string, string> = admin) => apiCall(ta, who, method, url, body);
  const url = '/notification-templates/parcel-ready/fr';

  await t.test('an unknown or malformed placeholder is refused with its name, nothing stored', async (t) => {
    const before = await storeSnapshot(ta.store);
    const refused = async (path: string, body: unknown, field: string, message: RegExp) => {
      const res = await call('PUT', path, body);
      t.equal(res.statusCode, 400, `${JSON.stringify(body)}: 400`);
      const e = res.json<ErrorReply>().error;
      t.equal(e.field, field, `${JSON.stringify(body)}: names ${field}`);
      t.match(e.message, message);
    };
    await refused(url, { subject: 'Colis', body: 'Bonjour {{recipientName}}, votre {{colour}} colis' }, 'body.body', /unknown placeholder \{\{colour\}\}/);
    await refused(url, { subject: 'Colis {{trackingNumber}}', body: 'Bonjour' }, 'body.subject', /unknown placeholder \{\{trackingNumber\}\}/);
    await refused(url, { subject: 'Colis', body: 'Bonjour {{ x' }, 'body.body', /malformed placeholder "\{\{ x"/);
    await refused(url, { subject: 'Colis {{}}', body: 'Bonjour' }, 'body.subject', /malformed placeholder "\{\{\}\}"/);
    await refused(url, { subject: 'Votre code {{pickupCode}}', body: 'Bonjour' }, 'body.subject', /\{\{pickupCode\}\} cannot be in a subject/);
    await refused('/notification-templates/welcome/en', { subject: 'Welcome', body: 'Hello {{recipientName}}' }, 'body.body', /must hold \{\{link\}\}/);
    await refused('/notification-templates/expired/en', { subject: 'Gone', body: 'Your code {{pickupCode}}' }, 'body.body', /unknown placeholder \{\{pickupCode\}\}: the placeholders of expired e-mails are \{\{recipientName\}\}/);
    const preview = await call('POST', `${url}/preview`, { body: 'Bonjour {{nom}}' });
    t.equal(preview.statusCode, 400, 'a preview of refused words: 400');
    t.equal(preview.json<ErrorReply>().error.field, 'body.body');
    t.equal(await storeSnapshot(ta.store), before, 'nothing stored');
  });

  await t.test('the preview: subject, text and escaped HTML with the sample values, nothing saved', async (t) => {
    const before = await storeSnapshot(ta.store);
    const res = await call('POST', '/notification-templates/parcel-ready/en/preview', {
      subject: 'Parcel for {{recipientName}} at {{bank}}',
      body: 'Hi {{recipientName}} <friend>,\n\nCode {{pickupCode}}, locker {{lockerNumber}}, until {{expiresAt}}.',
    });
    t.equal(res.statusCode, 200);
    const p = res.json<{ subject: string; text: string; html: string }>();
    t.equal(p.subject, 'Parcel for Ada Lovelace at Lobby');
    t.match(p.text, /^Hi Ada Lovelace <friend>,\n\nCode 482913, locker 12, until 4 March 2027 at 14:30 UTC\.\n\nChange your notification preferences: https:\/\/lockers\.example\.com\/preferences\/sample\n$/);
    t.match(p.html, '<p>Hi Ada Lovelace &lt;friend&gt;,</p>', 'escaped in the HTML');
    t.notMatch(p.html, '<friend>');
    t.match(p.html, '<img src="cid:code@portier" alt="QR code of your pickup code">', 'the code image shown');
    const builtIn = (await call('POST', `${url}/preview`, {})).json<{ subject: string; text: string }>();
    t.equal(builtIn.subject, 'Votre colis est prêt à être retiré à Lobby', 'with {} the current words: the built-in ones');
    t.match(builtIn.text, 'Votre code de retrait : 482913');
    t.equal(await storeSnapshot(ta.store), before, 'a preview saves nothing');
  });

  await t.test('own words listed, used by the preview, reset to the built-in ones; each change audited', async (t) => {
    const list = (await call('GET', '/notification-templates')).json<ListReply>();
    const ready = list.templates.find((x) => x.kind === 'parcel-ready')!;
    t.ok(ready.placeholders.includes('pickupCode') && ready.placeholders.includes('recipientName'), 'placeholders listed');
    t.same(
      list.templates.map((x) => x.kind),
      ['parcel-ready', 'reminder', 'expiring-soon', 'expired', 'picked-up', 'drop-off-code', 'storage', 'welcome', 'password-reset', 'mfa-code', 'import-failed'],
    );
    t.equal(ready.languages.fr.own, undefined, 'no own words yet');
    t.match(ready.languages.fr.builtIn.body, '{{pickupCode}}');

    const words = { subject: 'Courrier : votre {{item}}', body: 'Bonjour {{recipientName}},\n\nCode : {{pickupCode}}' };
    const put = await call('PUT', url, words);
    t.equal(put.statusCode, 200);
    t.same(put.json<{ template: LanguageReply }>().template.own, { ...words, updatedAt: ta.service.now() });
    t.equal((await call('POST', `${url}/preview`, {})).json<{ subject: string }>().subject, 'Courrier : votre colis', 'the preview uses the stored words');
    const listed = (await call('GET', '/notification-templates')).json<ListReply>().templates.find((x) => x.kind === 'parcel-ready')!;
    t.same(listed.languages.fr.own?.subject, words.subject);
    t.equal(listed.languages.en.own, undefined, 'English untouched');

    const del = await call('DELETE', url);
    t.equal(del.statusCode, 200);
    t.equal(del.json<{ template: LanguageReply }>().template.own, undefined, 'back to the built-in words');
    t.equal((await call('POST', `${url}/preview`, {})).json<{ subject: string }>().subject, 'Votre colis est prêt à être retiré à Lobby');

    const audit = (await call('GET', '/activity?type=admin-change')).json<{ activity: { detail?: string; changes?: { field: string; to?: string }[] }[] }>().activity;
    const details = audit.map((a) => a.detail);
    t.ok(details.includes('parcel-ready e-mail in fr worded by the enterprise'), 'the change audited');
    t.ok(details.includes('parcel-ready e-mail in fr back to the built-in words'), 'the reset audited');
    const set = audit.find((a) => a.detail === 'parcel-ready e-mail in fr worded by the enterprise')!;
    t.same(set.changes?.find((c) => c.field === 'subject')?.to, words.subject);
  });

  await t.test('rules: defaults, set, an unknown audience refused naming its place', async (t) => {
    const rules = async () => (await call('GET', '/notification-rules')).json<{ rules: Record<string, string[]> }>().rules;
    t.same(await rules(), { 'parcel-ready': ['recipient'], reminder: ['recipient'], 'expiring-soon': ['recipient'], expired: ['recipient'], 'picked-up': ['recipient'] });
    const put = await call('PUT', '/notification-rules', { rules: { 'parcel-ready': ['recipient', 'keyContact', 'reservedBy'], expired: [] } });
    t.equal(put.statusCode, 200);
    t.same((await rules())['parcel-ready'], ['recipient', 'keyContact', 'reservedBy']);
    t.same((await rules()).expired, [], 'nobody told of an expiry');
    t.same((await rules()).reminder, ['recipient'], 'an event left out keeps the default');
    const bad = await call('PUT', '/notification-rules', { rules: { reminder: ['boss'] } });
    t.equal(bad.statusCode, 400);
    t.equal(bad.json<ErrorReply>().error.field, 'body.rules.reminder.0');
    const twice = await call('PUT', '/notification-rules', { rules: { reminder: ['recipient', 'recipient'] } });
    t.equal(twice.statusCode, 400);
    t.equal(twice.json<ErrorReply>().error.field, 'body.rules.reminder');
    const event = await call('PUT', '/notification-rules', { rules: { 'drop-off-code': ['recipient'] } });
    t.equal(event.json<ErrorReply>().error.field, 'body.rules.drop-off-code', 'an event without rules named');
  });

  await t.test("another enterprise's admin neither reads nor changes them; a scoped admin and an operator are refused", async (t) => {
    await call('PUT', url, { subject: 'Ent : {{item}}', body: 'Bonjour {{recipientName}}' });
    const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
    const theirs = (await call('GET', '/notification-templates', undefined, other)).json<ListReply>().templates.find((x) => x.kind === 'parcel-ready')!;
    t.equal(theirs.languages.fr.own, undefined, "ent's words are not theirs to read");
    t.same((await call('GET', '/notification-rules', undefined, other)).json<{ rules: Record<string, string[]> }>().rules['parcel-ready'], ['recipient'], "nor ent's rules");
    t.equal((await call('PUT', url, { subject: 'Autre : {{item}}', body: 'Salut' }, other)).statusCode, 200, 'they word their own');
    t.equal((await call('DELETE', url, undefined, other)).statusCode, 200);
    t.equal((await call('PUT', '/notification-rules', { rules: { reminder: [] } }, other)).statusCode, 200);
    const mine = (await call('GET', '/notification-templates')).json<ListReply>().templates.find((x) => x.kind === 'parcel-ready')!;
    t.equal(mine.languages.fr.own?.subject, 'Ent : {{item}}', "ent's words untouched by their change and their reset");
    t.same((await call('GET', '/notification-rules')).json<{ rules: Record<string, string[]> }>().rules.reminder, ['recipient'], "ent's rules untouched");

    const scoped = await signedInUser(ta, 'annex-admin', { accessLevel: { kind: 'location', id: 'loc-2' } });
    const before = await storeSnapshot(ta.store);
    const operator = { authorization: `Bearer ${ta.tokens.operator}` };
    for (const who of [scoped, operator]) {
      for (const [method, path, body] of [
        ['GET', '/notification-templates'],
        ['PUT', url, { subject: 'x', body: 'y' }],
        ['DELETE', url],
        ['POST', `${url}/preview`, {}],
        ['GET', '/notification-rules'],
        ['PUT', '/notification-rules', { rules: {} }],
      ] as const) {
        const res = await call(method, path, body, who);
        t.equal(res.statusCode, 403, `${who === operator ? 'operator' : 'scoped admin'}: ${method} ${path} refused`);
      }
    }
    t.equal(await storeSnapshot(ta.store), before, 'nothing changed by them');
  });
});
