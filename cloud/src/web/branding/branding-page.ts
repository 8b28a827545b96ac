/**
 * Branding: `/console/branding` (the enterprise's logo and colours, the preview of its colours with each pair's
 * contrast, and every bank with the branding it shows) and `/console/branding/banks/:bankId` (a bank's own). A logo
 * is uploaded through the API's upload route and then named by its hash in the same save; the API checks the file
 * and the colours' contrast, and a refusal is shown at its field.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PublicBranding } from '../../branding/model.ts';
import { apiError, consoleApiOf, ConsoleApiError, type ConsoleApi } from '../console-api.ts';
import { fileOf, formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { html } from '../html.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { sendConsolePage } from '../shell.ts';
import { apiRefusal } from '../form-errors.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import {
  BankBrandingReply,
  brandingError,
  brandingForm,
  brandingValues,
  BrandingForm,
  banksTable,
  chosenColour,
  COLOUR_KEYS,
  EnterpriseBrandingReply,
  previewImage,
} from './branding-render.ts';
import { BRANDING_WORDS, type BrandingDone } from './branding-words.ts';

const DONE = ['saved', 'removed', 'bank-saved', 'bank-removed'] as const satisfies readonly BrandingDone[];
const BankParams = z.object({ bankId: z.string().max(100) });
const Uploaded = z.object({ logo: z.object({ sha256: z.string() }) });
const PATH = SETUP_PATHS.branding;
const bankPath = (id: string) => `${PATH}/banks/${encodeURIComponent(id)}`;

/** The type of an uploaded file: as the browser named it, else by its extension (the API checks the bytes). */
function logoType(file: { filename: string; type: string }): string {
  const t = file.type.split(';')[0]!.trim().toLowerCase();
  if (t === 'image/png' || t === 'image/svg+xml') return t;
  if (/\.svg$/i.test(file.filename)) return 'image/svg+xml';
  if (/\.png$/i.test(file.filename)) return 'image/png';
  return t || 'application/octet-stream';
}

/** What a save sent, as the form shows it again after a refusal: the colours as chosen. */
function postedValues(f: Record<string, string | undefined>): URLSearchParams {
  const v = new URLSearchParams();
  if (f['colours'] === 'on') v.set('colours', 'on');
  if (f['removeLogo'] === 'on') v.set('removeLogo', 'on');
  for (const k of COLOUR_KEYS) v.set(k, chosenColour(f, k));
  return v;
}

/** Uploads the chosen file (if any), then sets the branding at `apiPath`; the API's refusal is thrown. */
async function save(req: FastifyRequest, api: ConsoleApi, apiPath: string): Promise<void> {
  const f = BrandingForm.parse(Object.fromEntries(formOf(req)));
  let logo = f['removeLogo'] === 'on' ? undefined : f['logoWas'] || undefined;
  const file = fileOf(req, 'logo');
  if (file && file.data.length > 0) {
    const r = await api.raw('POST', `/enterprises/${encodeURIComponent(viewerOf(req).principal.enterpriseId)}/branding/logos`, file.data, logoType(file));
    if (r.status !== 201) throw apiError(r);
    logo = Uploaded.parse(JSON.parse(r.body)).logo.sha256;
  }
  const colours = f['colours'] === 'on' ? Object.fromEntries(COLOUR_KEYS.map((k) => [k, chosenColour(f, k)])) : undefined;
  await api.call(z.unknown(), 'PUT', apiPath, { ...(colours ? { colours } : {}), ...(logo ? { logo } : {}) });
}

/** A bank's form starts from its own branding; without colours of its own, from those it shows, unticked. */
function startValues(own: PublicBranding | undefined, shown: PublicBranding | undefined): URLSearchParams {
  const v = brandingValues(own);
  if (!own?.colours && shown?.colours) for (const k of COLOUR_KEYS) v.set(k, shown.colours[k]);
  return v;
}

export const brandingScreen: ConsoleScreen = (app) => {
  const enterprisePath = (req: FastifyRequest) => `/enterprises/${encodeURIComponent(viewerOf(req).principal.enterpriseId)}/branding`;

  const mainPage = async (req: FastifyRequest, reply: FastifyReply, o: { done?: BrandingDone; values?: URLSearchParams; error?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BRANDING_WORDS[v.lang];
    const title = SETUP_WORDS[v.lang].screens.branding.name;
    let data: z.infer<typeof EnterpriseBrandingReply>;
    try {
      data = await consoleApiOf(req).get(EnterpriseBrandingReply, enterprisePath(req));
    } catch (err) {
      if (err instanceof ConsoleApiError && err.status === 404) return sendConsolePage(reply, 200, v, { title, active: 'settings', body: html`<p>${w.noEnterprise}</p>` });
      throw err;
    }
    const saved = data.branding;
    const form = brandingForm(v, { action: PATH, saved, values: o.values ?? brandingValues(saved), error: o.error && brandingError(o.error) });
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}<p>${w.intro}</p>
<section class="panel" aria-labelledby="enterprise-h"><h2 id="enterprise-h">${w.enterprise}</h2>
${saved?.colours ? previewImage(v.lang, saved.colours) : ''}${form}
${saved ? confirmAction(v, 'remove', { summary: w.removeSummary, text: w.removeText, action: `${PATH}/remove`, submit: w.removeSubmit, danger: true }) : ''}</section>
<section class="panel" aria-labelledby="banks-h"><h2 id="banks-h">${w.banks}</h2>${banksTable(v.lang, data.banks)}</section>`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title, active: 'settings', body });
  };

  const bankPage = async (req: FastifyRequest, reply: FastifyReply, bankId: string, o: { done?: BrandingDone; values?: URLSearchParams; error?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BRANDING_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [bank, all] = await Promise.all([api.get(BankBrandingReply, `/banks/${encodeURIComponent(bankId)}/branding`), api.get(EnterpriseBrandingReply, enterprisePath(req)).catch(() => undefined)]);
    const name = all?.banks.find((b) => b.bankId === bankId)?.name ?? bankId;
    const saved: PublicBranding | undefined = bank.override;
    const form = brandingForm(v, {
      action: bankPath(bankId),
      saved,
      ...(bank.effective?.logo && !saved?.logo ? { inheritedLogo: bank.effective.logo } : {}),
      values: o.values ?? startValues(saved, bank.effective),
      error: o.error && brandingError(o.error),
    });
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}<p><a href="${PATH}">${w.back}</a></p><p>${w.bankIntro}</p>
${bank.effective?.colours ? previewImage(v.lang, bank.effective.colours) : ''}${form}
${saved ? confirmAction(v, 'remove', { summary: w.bankRemoveSummary, text: w.bankRemoveText, action: `${bankPath(bankId)}/remove`, submit: w.bankRemoveSubmit, danger: true }) : ''}`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: w.bankTitle(name), active: 'settings', body });
  };

  app.get(PATH, { schema: { hide: true } }, async (req, reply) => mainPage(req, reply, doneOf(req.query, DONE)));

  app.post(PATH, { schema: { hide: true } }, async (req, reply) => {
    try {
      await save(req, consoleApiOf(req), enterprisePath(req));
      return seeOther(reply, `${PATH}?done=saved`);
    } catch (err) {
      return mainPage(req, reply, { values: postedValues(BrandingForm.parse(Object.fromEntries(formOf(req)))), error: apiRefusal(err) });
    }
  });

  app.post(`${PATH}/remove`, { schema: { hide: true } }, async (req, reply) => {
    try {
      await consoleApiOf(req).call(z.unknown(), 'DELETE', enterprisePath(req));
      return seeOther(reply, `${PATH}?done=removed`);
    } catch (err) {
      return mainPage(req, reply, { error: apiRefusal(err) });
    }
  });

  app.get(`${PATH}/banks/:bankId`, { schema: { hide: true } }, async (req, reply) => bankPage(req, reply, BankParams.parse(req.params).bankId, doneOf(req.query, DONE)));

  app.post(`${PATH}/banks/:bankId`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    try {
      await save(req, consoleApiOf(req), `/banks/${encodeURIComponent(bankId)}/branding`);
      return seeOther(reply, `${bankPath(bankId)}?done=bank-saved`);
    } catch (err) {
      return bankPage(req, reply, bankId, { values: postedValues(BrandingForm.parse(Object.fromEntries(formOf(req)))), error: apiRefusal(err) });
    }
  });

  app.post(`${PATH}/banks/:bankId/remove`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    try {
      await consoleApiOf(req).call(z.unknown(), 'DELETE', `/banks/${encodeURIComponent(bankId)}/branding`);
      return seeOther(reply, `${bankPath(bankId)}?done=bank-removed`);
    } catch (err) {
      return bankPage(req, reply, bankId, { error: apiRefusal(err) });
    }
  });
};
