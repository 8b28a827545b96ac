/**
 * Banks as the set-up screens name and offer them: "Main building – Lobby" (its location, then its name), and the
 * small form that picks the bank a page shows (a plain GET: it works without any script and can be bookmarked).
 */
import type { z } from 'zod';
import type { Replies } from '../http/schemas.ts';
import { flag, html, type SafeHtml } from './html.ts';

export type BankData = z.infer<typeof Replies.bank>['bank'];
export type LocationData = z.infer<typeof Replies.location>['location'];

/** Each bank's name in words: its location's name, then its own. */
export function bankNames(banks: readonly BankData[], locations: readonly LocationData[]): Map<string, string> {
  const place = new Map(locations.map((l) => [l.id, l.name]));
  return new Map(banks.map((b) => [b.id, `${place.get(b.locationId) ?? b.locationId} – ${b.name}`]));
}

/** The bank `wanted` names when it is one of `banks`, else the first (undefined: no bank at all). */
export function chosenBank(banks: readonly BankData[], wanted: string | undefined): BankData | undefined {
  return banks.find((b) => b.id === wanted) ?? banks[0];
}

/** The form that picks the bank of page `action` (its field `bank`). */
export function bankPicker(o: { action: string; label: string; submit: string; banks: readonly BankData[]; names: ReadonlyMap<string, string>; chosen: string }): SafeHtml {
  return html`<form class="toolbar no-print" method="get" action="${o.action}">
<div class="field"><label for="bank">${o.label}</label><select id="bank" name="bank">${o.banks.map(
    (b) => html`<option value="${b.id}"${flag('selected', b.id === o.chosen)}>${o.names.get(b.id) ?? b.name}</option>`,
  )}</select></div>
<button type="submit" class="secondary">${o.submit}</button>
</form>`;
}
