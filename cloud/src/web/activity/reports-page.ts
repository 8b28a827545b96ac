/**
 * Reports: `/console/reports`, for a period of the last 7, 30 or 90 days and one bank or all those the person may
 * see, each bank's occupancy day by day and the drop-off to pickup times, as the API computes them.
 */
import { z } from 'zod';
import { DwellReply, UtilisationReply } from '../../http/routes/reports.ts';
import { Replies } from '../../http/schemas.ts';
import { consoleApiOf } from '../console-api.ts';
import { viewerOf, type ConsoleScreen } from '../console.ts';
import { flag, html } from '../html.ts';
import { CONSOLE_PATHS } from '../menu.ts';
import { sendConsolePage } from '../shell.ts';
import { REPORTS_WORDS } from './activity-words.ts';
import { bankLabel, dayName, dwellTable, occupancySection } from './reports-render.ts';

const PERIODS = [7, 30, 90] as const;
const ReportsQuery = z.looseObject({ days: z.coerce.number().int().optional().catch(undefined), bank: z.string().max(100).optional() });

export const reportsScreen: ConsoleScreen = (app) => {
  app.get(CONSOLE_PATHS.reports, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = REPORTS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const q = ReportsQuery.safeParse(req.query);
    const days = PERIODS.find((p) => q.success && p === q.data.days) ?? PERIODS[0];
    const { banks } = await api.get(Replies.banks, '/banks');
    if (banks.length === 0) return sendConsolePage(reply, 200, v, { title: w.title, active: 'reports', body: html`<p>${w.noBanks}</p>` });
    const bank = banks.find((b) => q.success && b.id === q.data.bank);
    const qs = new URLSearchParams({ days: String(days), ...(bank ? { bankId: bank.id } : {}) });
    const [use, dwell] = await Promise.all([api.get(UtilisationReply, `/reports/utilisation?${qs}`), api.get(DwellReply, `/reports/dwell?${qs}`)]);
    const names = new Map(use.banks.map((b) => [b.bankId, bankLabel(b)]));
    const body = html`<form class="toolbar" method="get" action="${CONSOLE_PATHS.reports}">
<div class="field"><label for="days">${w.period}</label><select id="days" name="days">${PERIODS.map((p) => html`<option value="${p}"${flag('selected', p === days)}>${w.lastDays(p)}</option>`)}</select></div>
<div class="field"><label for="bank">${w.bank}</label><select id="bank" name="bank"><option value="">${w.allBanks}</option>${banks.map(
      (b) => html`<option value="${b.id}"${flag('selected', b.id === bank?.id)}>${names.get(b.id) ?? b.name}</option>`,
    )}</select></div>
<button type="submit" class="secondary">${w.show}</button>
</form>
<p>${w.range(dayName(v.lang, use.from), dayName(v.lang, use.to))}</p>
<h2>${w.utilisation}</h2>
${use.banks.map((b, i) => occupancySection(v.lang, b, i))}
<h2>${w.dwell}</h2>
${dwellTable(v.lang, dwell)}`;
    return sendConsolePage(reply, 200, v, { title: w.title, active: 'reports', body });
  });
};
