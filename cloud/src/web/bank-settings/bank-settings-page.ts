/**
 * Bank settings: `/console/bank-settings` (`?bank=<id>` picks the bank): every setting of the API's bank change (its
 * name, rules, kiosk timers and delivery quota) in one form, each with its allowed range; the change is the API's
 * `PATCH /banks/:bankId` with only what differs, and its refusal is shown at the field it names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Replies } from '../../http/schemas.ts';
import { bankNames, bankPicker, chosenBank } from '../bank-choice.ts';
import { consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiRefusal, type FormError } from '../form-errors.ts';
import { html } from '../html.ts';
import { CONSOLE_PATHS } from '../menu.ts';
import { notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { sendConsolePage } from '../shell.ts';
import { bankValues, changesOf, refusalAt, settingsForm } from './bank-settings-form.ts';
import { BANK_SETTINGS_WORDS } from './bank-settings-words.ts';

const PATH = SETUP_PATHS.bankSettings;
const PageQuery = z.looseObject({ bank: z.string().max(100).optional(), done: z.enum(['saved', 'unchanged']).optional() });
const BankParams = z.object({ bankId: z.string().max(100) });

export const bankSettingsScreen: ConsoleScreen = (app) => {
  const page = async (req: FastifyRequest, reply: FastifyReply, o: { bankId?: string | undefined; done?: 'saved' | 'unchanged' | undefined; values?: URLSearchParams; errors?: FormError[]; status?: number }) => {
    const v = viewerOf(req);
    const w = BANK_SETTINGS_WORDS[v.lang];
    const title = SETUP_WORDS[v.lang].screens.bankSettings.name;
    const api = consoleApiOf(req);
    const [{ banks }, { locations }] = await Promise.all([api.get(Replies.banks, '/banks'), api.get(Replies.locations, '/locations')]);
    const back = html`<p><a href="${CONSOLE_PATHS.settings}">${SETUP_WORDS[v.lang].title}</a></p>`;
    const bank = chosenBank(banks, o.bankId);
    if (!bank) return sendConsolePage(reply, 200, v, { title, active: 'settings', body: html`${back}<p>${w.noBanks}</p>` });
    const names = bankNames(banks, locations);
    const body = html`${o.done ? notice(o.done === 'saved' ? w.saved : w.unchanged) : ''}${back}
<p>${w.intro}</p>
${bankPicker({ action: PATH, label: w.bank, submit: w.show, banks, names, chosen: bank.id })}
<h2>${names.get(bank.id) ?? bank.name}</h2>
${settingsForm(v, bank.id, o.values ?? bankValues(bank), o.errors ?? [])}`;
    return sendConsolePage(reply, o.status ?? 200, v, { title, active: 'settings', body });
  };

  app.get(PATH, { schema: { hide: true } }, async (req, reply) => {
    const q = PageQuery.safeParse(req.query);
    return page(req, reply, q.success ? { bankId: q.data.bank, done: q.data.done } : {});
  });

  // The address of the post, asked for again (a reload after htmx showed a refusal): the bank's settings.
  app.get(`${PATH}/:bankId`, { schema: { hide: true } }, async (req, reply) => seeOther(reply, `${PATH}?bank=${encodeURIComponent(BankParams.parse(req.params).bankId)}`));

  app.post(`${PATH}/:bankId`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const f = formOf(req);
    const api = consoleApiOf(req);
    const enc = encodeURIComponent(bankId);
    const { bank } = await api.get(Replies.bank, `/banks/${enc}`);
    const body = changesOf(bank, f);
    if (Object.keys(body).length === 0) return seeOther(reply, `${PATH}?bank=${enc}&done=unchanged`);
    try {
      await api.call(Replies.bank, 'PATCH', `/banks/${enc}`, body);
      return seeOther(reply, `${PATH}?bank=${enc}&done=saved`);
    } catch (err) {
      const e = apiRefusal(err);
      return page(req, reply, { bankId, values: f, errors: [refusalAt(e, viewerOf(req).lang)], status: e.status });
    }
  });
};
