/**
 * Labels: `/console/labels` (a bank's rear-loading lockers with their shelf barcodes, new barcodes generated, and the
 * ways to its printable sheets), `/console/labels/:bankId/shelves` (a label per rear shelf: its barcode as the API
 * draws it, the locker it belongs to) and `/console/labels/:bankId/lockers` (a label per locker door: number and
 * position). The sheets are plain pages whose print rules (the style sheet's `@media print`) keep only the labels.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Replies } from '../../http/schemas.ts';
import { bankNames, bankPicker, chosenBank } from '../bank-choice.ts';
import { apiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiRefusal, apiText } from '../form-errors.ts';
import { typedNumber } from '../form-fields.ts';
import { formatNumber } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { CONSOLE_PATHS } from '../menu.ts';
import { notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { LABELS_WORDS } from './labels-words.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';

const LABELS_PATH = SETUP_PATHS.labels;
const PageQuery = z.looseObject({ bank: z.string().max(100).optional(), generated: z.coerce.number().int().min(0).max(100_000).optional() });
const BankParams = z.object({ bankId: z.string().max(100) });

type LockerData = z.infer<typeof Replies.lockerViews>['lockers'][number]['locker'];
type ColumnData = z.infer<typeof Replies.columns>['columns'][number];

/** What a bank's labels are made of: the bank's name in words, its lockers by number and its columns by id. */
async function bankLabelsData(req: FastifyRequest, bankId: string) {
  const api = consoleApiOf(req);
  const enc = encodeURIComponent(bankId);
  const [{ bank }, { locations }, { columns }, { lockers }] = await Promise.all([
    api.get(Replies.bank, `/banks/${enc}`),
    api.get(Replies.locations, '/locations'),
    api.get(Replies.columns, `/banks/${enc}/columns`),
    api.get(Replies.lockerViews, `/banks/${enc}/lockers`),
  ]);
  const name = bankNames([bank], locations).get(bank.id) ?? bank.name;
  return {
    bank,
    name,
    columns: new Map(columns.map((c) => [c.id, c])),
    lockers: lockers.map((l) => l.locker).sort((a, b) => a.number - b.number),
    accessible: new Set(lockers.filter((l) => l.accessible).map((l) => l.locker.number)),
  };
}

function cm(lang: PageLanguage, n: number): string {
  return formatNumber(lang, n, Number.isInteger(n) ? 0 : 1);
}

/** Where a locker is: its column (and whether it is the kiosk's), its door, its height from the floor. */
function positionOf(lang: PageLanguage, l: LockerData, column: ColumnData | undefined): string[] {
  const w = LABELS_WORDS[lang];
  return [column ? w.column(column.position, column.kind === 'kiosk') : '', w.door(l.door), w.heights(cm(lang, l.bottomCm), cm(lang, l.topCm))].filter((x) => x !== '');
}

function labelsPath(bankId: string, sheet: 'shelves' | 'lockers'): string {
  return `${LABELS_PATH}/${encodeURIComponent(bankId)}/${sheet}`;
}

export const labelsScreen: ConsoleScreen = (app) => {
  const mainPage = async (req: FastifyRequest, reply: FastifyReply, o: { bankId?: string | undefined; generated?: number | undefined; refused?: string; status?: number }) => {
    const v = viewerOf(req);
    const w = LABELS_WORDS[v.lang];
    const title = SETUP_WORDS[v.lang].screens.labels.name;
    const api = consoleApiOf(req);
    const [{ banks }, { locations }] = await Promise.all([api.get(Replies.banks, '/banks'), api.get(Replies.locations, '/locations')]);
    const bank = chosenBank(banks, o.bankId);
    const back = html`<p><a href="${CONSOLE_PATHS.settings}">${SETUP_WORDS[v.lang].title}</a></p>`;
    if (!bank) return sendConsolePage(reply, 200, v, { title, active: 'settings', body: html`${back}<p>${w.noBanks}</p>` });
    const names = bankNames(banks, locations);
    const d = await bankLabelsData(req, bank.id);
    const rear = d.lockers.filter((l) => l.loading === 'rear');
    const body = html`${o.generated !== undefined ? notice(w.generated(o.generated)) : ''}${o.refused ? notice(apiText(v.lang, o.refused), true) : ''}${back}
<p>${w.intro}</p>
${bankPicker({ action: LABELS_PATH, label: w.bank, submit: w.show, banks, names, chosen: bank.id })}
<h2>${d.name}</h2>
<section class="panel setup-panel" aria-labelledby="shelves-h"><h2 id="shelves-h">${w.shelves}</h2><p>${w.shelvesIntro}</p>
${rear.length === 0 ? html`<p>${w.noRear}</p>` : html`<p><a class="button" href="${labelsPath(bank.id, 'shelves')}">${w.printShelves}</a></p>
<table class="data"><caption>${w.rearCaption}</caption><thead><tr><th scope="col">${w.locker}</th><th scope="col">${w.position}</th><th scope="col">${w.barcode}</th></tr></thead><tbody>${rear.map(
  (l) => html`<tr><th scope="row">${l.number}</th><td>${positionOf(v.lang, l, d.columns.get(l.columnId)).join(' · ')}</td><td><code>${l.shelfBarcode ?? ''}</code></td></tr>`,
)}</tbody></table>
${generateForm(v, bank.id, rear)}`}
</section>
<section class="panel setup-panel" aria-labelledby="lockers-h"><h2 id="lockers-h">${w.lockerLabels}</h2><p>${w.lockerLabelsIntro}</p>
${d.lockers.length === 0 ? html`<p>${w.noLockers}</p>` : html`<p><a class="button" href="${labelsPath(bank.id, 'lockers')}">${w.printLockers}</a></p>`}
</section>`;
    return sendConsolePage(reply, o.status ?? 200, v, { title, active: 'settings', body });
  };

  app.get(LABELS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const q = PageQuery.safeParse(req.query);
    return mainPage(req, reply, q.success ? { bankId: q.data.bank, generated: q.data.generated } : {});
  });

  // The address of the post, asked for again (a reload after htmx showed a refusal): the bank's labels.
  app.get(`${LABELS_PATH}/:bankId/shelf-barcodes`, { schema: { hide: true } }, async (req, reply) =>
    seeOther(reply, `${LABELS_PATH}?bank=${encodeURIComponent(BankParams.parse(req.params).bankId)}`),
  );

  app.post(`${LABELS_PATH}/:bankId/shelf-barcodes`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const numbers = formOf(req).getAll('numbers').map((n) => typedNumber(n) ?? n);
    try {
      const { lockers } = await consoleApiOf(req).call(Replies.lockers, 'POST', `/banks/${encodeURIComponent(bankId)}/shelf-barcodes`, numbers.length > 0 ? { numbers } : {});
      return seeOther(reply, `${LABELS_PATH}?bank=${encodeURIComponent(bankId)}&generated=${lockers.length}`);
    } catch (err) {
      const e = apiRefusal(err);
      return mainPage(req, reply, { bankId, refused: e.message, status: e.status });
    }
  });

  app.get(`${LABELS_PATH}/:bankId/shelves`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const v = viewerOf(req);
    const w = LABELS_WORDS[v.lang];
    const d = await bankLabelsData(req, bankId);
    const rear = d.lockers.filter((l) => l.loading === 'rear');
    const api = consoleApiOf(req);
    // The API draws each barcode (the same image its own route serves); the page holds it as a data: address.
    const images = await Promise.all(
      rear.map(async (l) => {
        const r = await api.raw('GET', `/banks/${encodeURIComponent(d.bank.id)}/lockers/${l.number}/barcode.svg`);
        if (r.status !== 200) throw apiError(r);
        return `data:image/svg+xml;base64,${Buffer.from(r.body, 'utf8').toString('base64')}`;
      }),
    );
    const labels = rear.map(
      (l, i) => html`<li class="label shelf-label" data-locker="${l.number}">
<p class="label-title">${d.name}</p>
<p class="label-number">${w.lockerNumber(l.number)}</p>
<img class="barcode" src="${images[i]!}" alt="${w.barcodeAlt(l.shelfBarcode ?? '', l.number)}">
<p class="label-text"><code>${l.shelfBarcode ?? ''}</code></p>
<p>${positionOf(v.lang, l, d.columns.get(l.columnId)).join(' · ')}</p>
</li>`,
    );
    const body = html`${sheetIntro(v, d.bank.id, w.shelfIntro)}${rear.length === 0 ? html`<p>${w.noRear}</p>` : html`<ul class="labels">${labels}</ul>`}`;
    return sendConsolePage(reply, 200, v, { title: w.shelvesTitle(d.name), active: 'settings', body });
  });

  app.get(`${LABELS_PATH}/:bankId/lockers`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const v = viewerOf(req);
    const w = LABELS_WORDS[v.lang];
    const d = await bankLabelsData(req, bankId);
    const labels = d.lockers.map(
      (l) => html`<li class="label locker-label" data-locker="${l.number}">
<p class="label-title">${d.name}</p>
<p class="label-big"><span class="visually-hidden">${w.locker} </span>${l.number}</p>
<ul class="plain">${[...positionOf(v.lang, l, d.columns.get(l.columnId)), w.loading[l.loading], w.size(l.size), d.accessible.has(l.number) ? w.accessible : ''].filter((x) => x !== '').map((x) => html`<li>${x}</li>`)}</ul>
</li>`,
    );
    const body = html`${sheetIntro(v, d.bank.id)}${d.lockers.length === 0 ? html`<p>${w.noLockers}</p>` : html`<ul class="labels">${labels}</ul>`}`;
    return sendConsolePage(reply, 200, v, { title: w.lockersTitle(d.name), active: 'settings', body });
  });
};

/** What a printable sheet says first (not printed): the way back and how to print. */
function sheetIntro(v: Viewer, bankId: string, extra?: string): SafeHtml {
  const w = LABELS_WORDS[v.lang];
  return html`<p class="no-print"><a href="${LABELS_PATH}?bank=${encodeURIComponent(bankId)}">${w.back}</a></p><p class="no-print">${w.printIntro}${extra ? html` ${extra}` : ''}</p>`;
}

/** New barcodes for the lockers chosen (none: every rear-loading one), behind a disclosure: old labels stop working. */
function generateForm(v: Viewer, bankId: string, rear: readonly LockerData[]): SafeHtml {
  const w = LABELS_WORDS[v.lang];
  return html`<details class="confirm"><summary>${w.generateSummary}</summary><form method="post" action="${LABELS_PATH}/${encodeURIComponent(bankId)}/shelf-barcodes">${csrfField(v)}
<p id="generate-text">${w.generateText}</p>
<fieldset><legend>${w.generateLegend}</legend><p class="hint" id="generate-hint">${w.generateHint}</p>${rear.map(
    (l) => html`<div class="choice"><input type="checkbox" id="numbers-${l.number}" name="numbers" value="${l.number}" aria-describedby="generate-hint"><label for="numbers-${l.number}">${w.lockerNumber(l.number)}</label></div>`,
  )}</fieldset>
<button type="submit" class="danger" aria-describedby="generate-text">${w.generateSubmit}</button></form></details>`;
}
