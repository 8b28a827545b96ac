/**
 * The reports screen's parts: a bank's occupancy as a table (the figures, for everyone) and a bar chart drawn by the
 * server as SVG (a picture of the same figures, hidden from assistive technology), and the dwell times of every bank
 * as one table. Pure rendering of the API's answers (routes/reports.ts).
 */
import { dayStart } from '../../domain/reports.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { DwellReply, UtilisationReply } from '../../http/routes/reports.ts';
import { formatDate, formatNumber } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { REPORTS_WORDS } from './activity-words.ts';

type BankUtilisation = UtilisationReply['banks'][number];

/** A share as a percentage in the viewer's language, to a tenth (a locker of a large bank is well under 1%): "4.2%", "4,2 %". */
export function percent(lang: PageLanguage, share: number): string {
  return `${formatNumber(lang, share * 100, 1)}${lang === 'fr' ? '\u202f%' : '%'}`;
}

/** A day of the API (YYYY-MM-DD) as the viewer reads it. */
export function dayName(lang: PageLanguage, date: string): string {
  const at = dayStart(date);
  return at !== undefined ? formatDate(lang, at) : date;
}

export function bankLabel(b: { bankName: string; locationName?: string | undefined }): string {
  return b.locationName !== undefined ? `${b.locationName} – ${b.bankName}` : b.bankName;
}

const BAR = 20;
const STEP = 24;
const TOP = 100;

/** Each day a bar (the average share) and a line (the peak); the shares are of 0 to 100 units high. */
function chart(lang: PageLanguage, b: BankUtilisation): SafeHtml {
  const w = REPORTS_WORDS[lang];
  const width = Math.max(1, b.days.length) * STEP;
  const y = (share: number) => TOP - Math.min(1, Math.max(0, share)) * TOP;
  return html`<figure class="chart"><svg viewBox="0 0 ${width} ${TOP}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
<line class="axis" x1="0" y1="${TOP}" x2="${width}" y2="${TOP}" vector-effect="non-scaling-stroke"></line>
${b.days.map((d, i) => {
  const x = i * STEP + (STEP - BAR) / 2;
  return html`<rect class="bar" x="${x}" y="${y(d.averageShare)}" width="${BAR}" height="${TOP - y(d.averageShare)}"></rect><line class="peak" x1="${x}" y1="${y(d.peakShare)}" x2="${x + BAR}" y2="${y(d.peakShare)}" vector-effect="non-scaling-stroke"></line>`;
})}
</svg><figcaption class="hint">${w.chartLegend}</figcaption></figure>`;
}

/** One bank's occupancy: a line of totals, the chart, and the table of its days. */
export function occupancySection(lang: PageLanguage, b: BankUtilisation, index: number): SafeHtml {
  const w = REPORTS_WORDS[lang];
  const name = bankLabel(b);
  const id = `occupancy-${index}`;
  return html`<section class="report" aria-labelledby="${id}-h"><h3 id="${id}-h">${name}</h3>
<p>${w.summary(b.lockers, percent(lang, b.peakShare), percent(lang, b.averageShare))}</p>
${chart(lang, b)}
<table class="data" id="${id}" data-bank="${b.bankId}"><caption>${w.occupancyCaption(name)}</caption>
<thead><tr><th scope="col">${w.date}</th><th scope="col" class="num">${w.peak}</th><th scope="col" class="num">${w.peakShare}</th><th scope="col" class="num">${w.averageShare}</th></tr></thead>
<tbody>${b.days.map(
    (d) =>
      html`<tr><th scope="row"><time datetime="${d.date}">${dayName(lang, d.date)}</time></th><td class="num">${formatNumber(lang, d.peak)}</td><td class="num">${percent(lang, d.peakShare)}</td><td class="num">${percent(lang, d.averageShare)}</td></tr>`,
  )}</tbody></table></section>`;
}

/** Drop-off to pickup times of every bank, one row each. */
export function dwellTable(lang: PageLanguage, r: DwellReply): SafeHtml {
  const w = REPORTS_WORDS[lang];
  const time = (ms: number | undefined) => (ms !== undefined ? w.duration(ms) : '–');
  return html`<table class="data" id="dwell"><caption>${w.dwellCaption}</caption>
<thead><tr><th scope="col">${w.dwellBank}</th><th scope="col" class="num">${w.pickedUp}</th><th scope="col" class="num">${w.median}</th><th scope="col" class="num">${w.p90}</th><th scope="col" class="num">${w.average}</th></tr></thead>
<tbody>${r.banks.map(
    (b) =>
      html`<tr data-bank="${b.bankId}"><th scope="row">${bankLabel(b)}</th><td class="num">${b.count > 0 ? formatNumber(lang, b.count) : w.noPickups}</td><td class="num">${time(b.medianMs)}</td><td class="num">${time(b.p90Ms)}</td><td class="num">${time(b.averageMs)}</td></tr>`,
  )}</tbody></table>`;
}
