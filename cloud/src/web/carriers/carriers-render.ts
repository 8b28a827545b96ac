/**
 * The carriers screen's pieces, pure rendering of what the API answered (carriers-page.ts asks): the list, the forms
 * (add, rename, issue a code), a carrier's codes with their state in words, the code shown once, and the printable
 * sheet of QR codes.
 */
import type { z } from 'zod';
import { issueCarrierCodeInput } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { Replies } from '../../http/schemas.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { fieldParts, inputField, selectField } from '../form-fields.ts';
import { formatDateTime } from '../format.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { confirmAction } from '../page-notices.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { SETUP_PATHS } from '../settings/setup-screens.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { CARRIERS_WORDS, type CodeState } from './carriers-words.ts';

export type CarrierData = z.infer<typeof Replies.carrier>['carrier'];
export type CarrierCodeData = z.infer<typeof Replies.carrierCodes>['carrierCodes'][number];

export const CARRIERS_PATH = SETUP_PATHS.carriers;

/** How many digits a code may have, and how many it has unless chosen: the API's own schema. */
const DIGITS = issueCarrierCodeInput.shape.digits.unwrap();
export const DIGITS_RANGE = { min: DIGITS.minValue ?? 6, max: DIGITS.maxValue ?? 10, fallback: issueCarrierCodeInput.parse({}).digits };

export function carrierPath(id: string): string {
  return `${CARRIERS_PATH}/${encodeURIComponent(id)}`;
}

export function codeState(c: CarrierCodeData, now: number): CodeState {
  if (c.revoked) return 'revoked';
  return c.expiresAt !== undefined && c.expiresAt <= now ? 'expired' : 'live';
}

/** The list of carriers, with their live codes when the viewer may see codes. */
export function carriersTable(lang: PageLanguage, carriers: readonly CarrierData[], live: ReadonlyMap<string, number> | undefined): SafeHtml {
  const w = CARRIERS_WORDS[lang];
  if (carriers.length === 0) return html`<p>${w.none}</p>`;
  const rows = [...carriers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (c) =>
        html`<tr><th scope="row"><a href="${carrierPath(c.id)}">${c.name}</a></th><td>${formatDateTime(lang, c.createdAt)}</td>${live ? html`<td class="num">${live.get(c.id) ?? 0}</td>` : ''}</tr>`,
    );
  return html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.created}</th>${
    live ? html`<th scope="col" class="num">${w.liveCodes}</th>` : ''
  }</tr></thead><tbody>${rows}</tbody></table>`;
}

/** The carrier's name form: a new carrier's, or a rename. */
export function nameForm(v: Viewer, o: { action: string; value: string; submit: string; errors?: readonly FormError[]; cancel?: string }): SafeHtml {
  const w = CARRIERS_WORDS[v.lang];
  const errors = o.errors ?? [];
  return html`${errorSummary(v.lang, errors)}<form method="post" action="${o.action}" novalidate>${csrfField(v)}
${inputField(v.lang, 'name', w.name, o.value, errors, { hint: w.nameHint, required: true, maxlength: 200 })}
<div class="actions"><button type="submit">${o.submit}</button>${o.cancel ? html`<a href="${o.cancel}">${SHELL_WORDS[v.lang].cancel}</a>` : ''}</div>
</form>`;
}

/** The banks a code opens, in words. */
function banksOf(lang: PageLanguage, ids: readonly string[], names: ReadonlyMap<string, string>): string {
  return ids.length === 0 ? CARRIERS_WORDS[lang].everyBank : ids.map((id) => names.get(id) ?? id).join(', ');
}

/** A carrier's codes: each with its state in words, and a revoke action on a live one when the viewer may. */
export function codesTable(v: Viewer, carrierId: string, codes: readonly CarrierCodeData[], names: ReadonlyMap<string, string>, o: { now: number; mayRevoke: boolean }): SafeHtml {
  const w = CARRIERS_WORDS[v.lang];
  if (codes.length === 0) return html`<p>${w.noCodes}</p>`;
  const sorted = [...codes].sort((a, b) => b.createdAt - a.createdAt);
  const rows = sorted.map((c) => {
    const state = codeState(c, o.now);
    const action =
      state === 'live' && o.mayRevoke
        ? confirmAction(v, `revoke-${c.id}`, { summary: w.revokeSummary(c.id), text: w.revokeText, action: `${carrierPath(carrierId)}/codes/${encodeURIComponent(c.id)}/revoke`, submit: w.revokeSubmit, danger: true })
        : '';
    const unchecked = c.notCheckableAt.length > 0 && state === 'live' ? html`<p class="field-error">${w.notCheckable(banksOf(v.lang, c.notCheckableAt, names))}</p>` : '';
    return html`<tr><th scope="row"><code>${c.id}</code></th><td class="num">${c.digits}</td><td>${banksOf(v.lang, c.bankIds, names)}${unchecked}</td><td>${
      c.expiresAt === undefined ? w.noEnd : formatDateTime(v.lang, c.expiresAt)
    }</td><td><span class="tag${state === 'live' ? '' : ' bad'}">${w.states[state]}</span></td><td>${action}</td></tr>`;
  });
  return html`<table class="data"><caption>${w.codesCaption}</caption><thead><tr><th scope="col">${w.codeId}</th><th scope="col" class="num">${w.digits}</th><th scope="col">${w.banks}</th><th scope="col">${w.expires}</th><th scope="col">${w.state}</th><th scope="col"><span class="visually-hidden">${w.actions}</span></th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The form that issues a code: its length, the banks it opens (none: every bank), how long it lasts. */
export function issueForm(v: Viewer, carrierId: string, o: { banks: ReadonlyMap<string, string>; values: URLSearchParams; errors?: readonly FormError[] }): SafeHtml {
  const w = CARRIERS_WORDS[v.lang];
  const errors = o.errors ?? [];
  const chosen = new Set(o.values.getAll('bankIds'));
  const lengths = Array.from({ length: DIGITS_RANGE.max - DIGITS_RANGE.min + 1 }, (_, i) => String(DIGITS_RANGE.min + i)).map((d) => ({ value: d, label: d }));
  const banks = fieldParts(v.lang, 'bankIds', w.banksHint, errors);
  const bankChoices = [...o.banks].map(([id, name], i) => {
    const box = i === 0 ? 'bankIds' : `bankIds-${i}`;
    return html`<div class="choice"><input type="checkbox" id="${box}" name="bankIds" value="${id}"${flag('checked', chosen.has(id))}${i === 0 ? banks.attrs : ''}><label for="${box}">${name}</label></div>`;
  });
  return html`${errorSummary(v.lang, errors)}<form method="post" action="${carrierPath(carrierId)}/codes" novalidate>${csrfField(v)}
${selectField(v.lang, 'digits', w.digits, lengths, o.values.get('digits') ?? String(DIGITS_RANGE.fallback), errors, { hint: w.digitsHint(DIGITS_RANGE.min, DIGITS_RANGE.max) })}
<fieldset><legend>${w.banksLegend}</legend>${banks.hint}${banks.error}${bankChoices}</fieldset>
${inputField(v.lang, 'days', w.days, o.values.get('days') ?? '', errors, { hint: w.daysHint, maxlength: 5 })}
<button type="submit">${w.issueSubmit}</button>
</form>`;
}

/** The code just issued, in clear: this once. */
export function issuedNotice(lang: PageLanguage, carrierId: string, issued: { id: string; code: string }): SafeHtml {
  const w = CARRIERS_WORDS[lang];
  return html`<div class="notice ok code-once" role="status"><p>${w.issuedLabel} <code>${issued.id}</code>: <strong class="code">${issued.code}</strong></p><p>${w.issuedHint}</p>
<p><a href="${carrierPath(carrierId)}/sheet?code=${encodeURIComponent(issued.id)}">${w.printIssued}</a></p></div>`;
}

/** One label of the sheet: a printable QR code (the API's image), or why the code cannot be printed. */
export interface SheetItem {
  code: CarrierCodeData;
  /** The QR code as a data: address (the pages' policy allows images from this server and data: only). */
  image?: string;
  refused?: string;
}

export function sheetBody(lang: PageLanguage, carrier: CarrierData, items: readonly SheetItem[], names: ReadonlyMap<string, string>, o: { filtered: boolean }): SafeHtml {
  const w = CARRIERS_WORDS[lang];
  const labels = items.map(
    (it) => html`<li class="label qr-label" data-code-id="${it.code.id}">
<p class="label-title">${carrier.name}</p>
${it.image ? html`<img class="qr" src="${it.image}" alt="${w.sheetCodeOf(carrier.name, it.code.id)}">` : html`<p class="field-error">${w.sheetNotPrinted}: <span lang="en">${it.refused ?? ''}</span></p>`}
<dl class="facts"><dt>${w.sheetValidAt}</dt><dd>${banksOf(lang, it.code.bankIds, names)}</dd><dt>${w.sheetUntil}</dt><dd>${it.code.expiresAt === undefined ? w.noEnd : formatDateTime(lang, it.code.expiresAt)}</dd><dt>${w.codeId}</dt><dd><code>${it.code.id}</code></dd></dl>
</li>`,
  );
  return html`<p class="no-print"><a href="${carrierPath(carrier.id)}">${w.carrierTitle(carrier.name)}</a>${o.filtered ? html` · <a href="${carrierPath(carrier.id)}/sheet">${w.sheetAll}</a>` : ''}</p>
<p class="no-print">${w.sheetIntro}</p>
<p class="print-only">${w.sheetFor(carrier.name)}</p>
${items.length === 0 ? html`<p>${w.sheetNone}</p>` : html`<h2 class="no-print">${w.sheetPrint}</h2><ul class="labels">${labels}</ul>`}`;
}
