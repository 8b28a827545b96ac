/**
 * The grid of a bank: its columns side by side as they stand, each door drawn at its height (top door first), its
 * status as a colour, a pattern and a word, and a summary of its contents that shows on hover and on keyboard focus
 * (tied to the locker's link with aria-describedby, so a screen reader reads it too). Pure rendering: the data comes
 * from the API (lockers-page.ts).
 */
import type { z } from 'zod';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ControllerStatusSchema } from '../../http/routes/controllers.ts';
import type { LockerViewSchema } from '../../http/schemas.ts';
import { formatDateTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { LOCKERS_WORDS, type LockerStatus } from './lockers-words.ts';

export type LockerViewData = z.infer<typeof LockerViewSchema>;
export type ControllerData = z.infer<typeof ControllerStatusSchema>;

export const LOCKER_STATUSES: readonly LockerStatus[] = ['available', 'reserved', 'occupied', 'expired', 'out-of-service'];

/** The height class of a door: its opening in tens of centimetres, 1 to 30. */
function heightClass(l: LockerViewData['locker']): string {
  return `h${Math.min(30, Math.max(1, Math.round((l.topCm - l.bottomCm) / 10)))}`;
}

export function lockerPath(bankId: string, n: number): string {
  return `/console/lockers/${encodeURIComponent(bankId)}/${n}`;
}

/** The summary of a locker (hover, focus, and its own page): what is in it, for whom, since when, the notice. */
export function lockerSummary(lang: PageLanguage, v: LockerViewData): SafeHtml {
  const w = LOCKERS_WORDS[lang];
  const c = v.contents;
  const rows: Array<[string, string]> = [[w.size, v.locker.size]];
  if (c) {
    rows.push([w.recipient, c.recipientName ?? `${c.recipient.type} ${c.recipient.id}`]);
    if (c.trackingIds.length > 0) rows.push([w.trackingIds, c.trackingIds.join(', ')]);
    rows.push([w.since, formatDateTime(lang, c.since)]);
    if (c.endsAt !== undefined) rows.push([w.expires, formatDateTime(lang, c.endsAt)]);
    rows.push([w.notice, c.notice ? `${w.notices[c.notice.status]} (${formatDateTime(lang, c.notice.at)})` : w.noNotice]);
  }
  return html`<dl>${rows.map(([k, val]) => html`<dt>${k}</dt><dd>${val}</dd>`)}</dl>`;
}

function cell(lang: PageLanguage, v: LockerViewData, door: 'open' | 'closed' | 'unknown', shown: boolean): SafeHtml {
  const w = LOCKERS_WORDS[lang];
  const n = v.locker.number;
  const cls = `locker st-${v.status} ${heightClass(v.locker)}`;
  // Filtered out: kept in place (the bank keeps its shape) but quiet, and not announced.
  if (!shown) return html`<li class="${cls} faded" aria-hidden="true"><span>${n}</span></li>`;
  const tip = `tip-${n}`;
  const label = html`<span class="n">${n}</span><span>${w.statuses[v.status]}</span>${v.accessible ? html`<span>${w.accessible}</span>` : ''}${door !== 'closed' ? html`<span>${w.door[door]}</span>` : ''}`;
  // Only a locker with contents has a summary to show (an empty one's page says its size).
  if (!v.contents) return html`<li class="${cls}"><a href="${lockerPath(v.locker.bankId, n)}">${label}</a></li>`;
  return html`<li class="${cls}"><a href="${lockerPath(v.locker.bankId, n)}" aria-describedby="${tip}">${label}</a><div class="tip" role="tooltip" id="${tip}">${lockerSummary(lang, v)}</div></li>`;
}

/** The bank's grid; lockers whose status is not `only` (when given) stay in place, faded. */
export function bankGrid(lang: PageLanguage, bankName: string, lockers: readonly LockerViewData[], controllers: readonly ControllerData[], only: LockerStatus | undefined): SafeHtml {
  const w = LOCKERS_WORDS[lang];
  const byColumn = new Map<string, LockerViewData[]>();
  for (const v of lockers) {
    const list = byColumn.get(v.locker.columnId);
    if (list) list.push(v);
    else byColumn.set(v.locker.columnId, [v]);
  }
  const known = new Set(controllers.map((c) => c.columnId));
  const columns = [
    ...controllers.map((c) => ({ c, lockers: byColumn.get(c.columnId) ?? [] })),
    ...[...byColumn.entries()].filter(([id]) => !known.has(id)).map(([, ls]) => ({ c: undefined, lockers: ls })),
  ];
  const sections = columns.map(({ c, lockers: ls }, i) => {
    const doors = new Map((c?.doors ?? []).map((d) => [d.door, d.state]));
    const sorted = [...ls].sort((a, b) => b.locker.bottomCm - a.locker.bottomCm || a.locker.number - b.locker.number);
    const state = c ? (c.online ? html`<p class="online">${w.online}</p>` : html`<p class="offline">${w.offline(c.lastSeen === null ? undefined : formatDateTime(lang, c.lastSeen))}; ${w.doorsUnknown}</p>`) : '';
    const heading = w.columnHeading(c?.position ?? i + 1, c?.kind === 'kiosk');
    return html`<section class="column" aria-label="${heading}"><h3>${heading}</h3>${state}<ul>${sorted.map((v) =>
      cell(lang, v, c?.online ? (doors.get(v.locker.door) ?? 'unknown') : 'unknown', only === undefined || v.status === only),
    )}</ul></section>`;
  });
  return html`<div class="bank" role="region" aria-label="${w.grid(bankName)}">${sections}</div>`;
}

/** The status filter with each status's count; the chosen one marked. */
export function statusFilter(lang: PageLanguage, bankId: string, lockers: readonly LockerViewData[], only: LockerStatus | undefined): SafeHtml {
  const w = LOCKERS_WORDS[lang];
  const counts = new Map<LockerStatus, number>(LOCKER_STATUSES.map((s) => [s, 0]));
  for (const v of lockers) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  const base = `/console/lockers?bank=${encodeURIComponent(bankId)}`;
  const link = (href: string, label: string, current: boolean) => html`<li><a href="${href}"${current ? html` aria-current="true"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="${w.filter}"><ul class="counts">${link(base, w.all(lockers.length), only === undefined)}${LOCKER_STATUSES.map((s) =>
    link(`${base}&status=${s}`, `${w.statuses[s]} (${counts.get(s) ?? 0})`, only === s),
  )}</ul></nav>`;
}

export function legend(lang: PageLanguage): SafeHtml {
  const w = LOCKERS_WORDS[lang];
  return html`<h2 class="visually-hidden">${w.legend}</h2><ul class="legend">${LOCKER_STATUSES.map((s) => html`<li class="st-${s}"><span class="swatch" aria-hidden="true"></span>${w.statuses[s]}</li>`)}</ul>`;
}
