/**
 * The branding in the desired state of a bank's kiosk column: the colours and a reference to the logo file (its
 * absolute address, SHA-256, type and size), never the file itself, so the retained message stays small. The address
 * is built on the cloud's public address; while that is not known yet (a cloud that is not listening), the logo is
 * left out and comes with the next build.
 */
import type { DesiredBranding } from '@portier/protocol';
import { logoPath } from '../branding/model.ts';
import { bankBranding } from '../branding/use-cases.ts';
import { columnAt, kioskColumnOf, type DesiredSource } from './bank-layout.ts';
import type { BuildDesiredOptions, BuiltDesired } from './column-state.ts';

/** The kiosk's branding of `bankId`, or undefined for the built-in look. */
export function kioskBranding(src: DesiredSource, bankId: string, assetBase: string | undefined): DesiredBranding | undefined {
  const b = bankBranding(src, bankId);
  if (!b) return undefined;
  const out: DesiredBranding = {
    ...(b.colours ? { colours: { ...b.colours } } : {}),
    ...(b.logo && assetBase ? { logo: { url: `${assetBase}${logoPath(b.logo.sha256)}`, sha256: b.logo.sha256, type: b.logo.type, bytes: b.logo.bytes } } : {}),
  };
  return out.colours || out.logo ? out : undefined;
}

/** `built` with the bank's branding added when its column is the bank's kiosk column. */
export function withKioskBranding(src: DesiredSource, opts: BuildDesiredOptions, built: BuiltDesired): BuiltDesired {
  const column = columnAt(src, opts.bankId, opts.column);
  if (!column || kioskColumnOf(src, opts.bankId)?.id !== column.id) return built;
  const branding = kioskBranding(src, opts.bankId, opts.assetBase);
  return branding ? { ...built, state: { ...built.state, branding } } : built;
}
