/**
 * How an e-mail carries its enterprise's branding: the colours of the bank the message is about (its override, else
 * the enterprise's), and the logo as an inline attachment shown by `cid:`.
 *
 * Why inline and not an <img> of the public address: most mail clients (Outlook, Gmail, Apple Mail with privacy
 * protection) block or proxy remote images until the reader allows them, while inline parts are shown at once, also
 * offline. Only PNG logos go: SVG is not shown by the major mail clients (Gmail and Outlook drop it), so an SVG logo
 * is left out of e-mails and the enterprise's name stands in its place.
 */
import type { BrandColours } from '../branding/model.ts';
import { effectiveBranding } from '../branding/use-cases.ts';
import { brandingKey } from '../branding/model.ts';
import type { Store } from '../store/store.ts';

export const LOGO_CID = 'logo@portier';

export interface MailBrand {
  /** The enterprise's name: the logo's text alternative, or the heading when there is no PNG logo. */
  name: string;
  colours?: BrandColours;
  logo?: Buffer;
}

/** The branding of a message of `enterpriseId` (about `bankId`, when it is about a parcel); undefined: none set. */
export function mailBrandOf(store: Pick<Store, 'get'>, enterpriseId: string, bankId?: string): MailBrand | undefined {
  const b = bankId !== undefined && store.get('banks', bankId) ? effectiveBranding(store, enterpriseId, bankId) : store.get('brandings', brandingKey(enterpriseId));
  if (!b || (!b.colours && !b.logo)) return undefined;
  const asset = b.logo?.type === 'image/png' ? store.get('brandAssets', b.logo.sha256) : undefined;
  return {
    name: store.get('enterprises', enterpriseId)?.name ?? '',
    ...(b.colours ? { colours: b.colours } : {}),
    ...(asset ? { logo: Buffer.from(asset.data, 'base64') } : {}),
  };
}
