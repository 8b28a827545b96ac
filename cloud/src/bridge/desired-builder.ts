/**
 * The protocol `DesiredState` of one controller (bank + column), built from what the domain holds: the column's own
 * state (column-state.ts), with the rest of the bank and the bank's branding added when the column is the bank's kiosk
 * column (kiosk-bank-view.ts, kiosk-branding.ts). The layers import in one direction: bank-layout <- column-state <- kiosk-bank-view <- here.
 *
 * Pure and deterministic: every list is sorted and nothing depends on the time except which codes have expired,
 * so an unchanged bank gives an identical state (and the same `desiredStateHash`).
 */
import type { DesiredState } from '@portier/protocol';
import type { DesiredSource } from './bank-layout.ts';
import { buildColumnState, type BuildDesiredOptions, type BuiltDesired } from './column-state.ts';
import { listingForm } from './credential-forms.ts';
import { withKioskBankView } from './kiosk-bank-view.ts';
import { withKioskBranding } from './kiosk-branding.ts';

export type { DesiredSource } from './bank-layout.ts';
export { DesiredBuildError, type BuildDesiredOptions, type BuiltDesired, type SkippedCredential } from './column-state.ts';

export function buildDesiredState(src: DesiredSource, opts: BuildDesiredOptions): BuiltDesired {
  return withKioskBranding(src, opts, withKioskBankView(src, opts, buildColumnState(src, opts)));
}

/**
 * A kiosk's current view, as it would be published now: live codes only, aliases as the kiosk knows them, the
 * credentials in the listing form (the cloud's own lookup hashes: never published). What the kiosk relay checks a
 * request against.
 */
export function kioskListingView(src: DesiredSource, q: { bankId: string; column: number; now: number }): DesiredState {
  return buildDesiredState(src, { ...q, form: listingForm() }).state;
}
