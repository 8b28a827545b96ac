/**
 * A message ready for SMTP from its content: subject, a text part, an HTML part (escaped; its image inline by
 * `cid:`), and the code's image as an inline PNG attachment. Pure apart from drawing the image.
 */
import { renderBarcode } from '../http/barcode.ts';
import { LOGO_CID, type MailBrand } from './brand.ts';
import { compose, type Paragraph } from './catalogue.ts';
import type { MailContent } from './content.ts';
import type { TemplateText } from './placeholders.ts';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: 'image/png'; cid: string }>;
}

export const IMAGE_CID = 'code@portier';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** A link in the text part: its label, then the address (French puts a space before the colon). */
function textOf(p: Paragraph, lang: MailContent['language']): string {
  return typeof p === 'string' ? p : `${p.label}${lang === 'fr' ? ' :' : ':'} ${p.link}`;
}

function htmlOf(p: Paragraph): string {
  return typeof p === 'string' ? `<p>${p.split('\n').map(escapeHtml).join('<br>\n')}</p>` : `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.label)}</a></p>`;
}

/**
 * The branded frame of a message: a band in the primary colour with the logo (or the enterprise's name), the body on
 * the background colour. Inline `style` attributes and a layout table, because mail clients drop style sheets; the
 * colours were checked for contrast when set (branding/contrast.ts).
 */
function branded(brand: MailBrand, body: string[]): string[] {
  const c = brand.colours;
  const band = c ? ` style="background-color:${c.primary};color:${c.onPrimary};padding:16px"` : ' style="padding:16px"';
  const head = brand.logo
    ? `<img src="cid:${LOGO_CID}" alt="${escapeHtml(brand.name)}" height="48" style="display:block;height:48px;width:auto;border:0">`
    : `<strong>${escapeHtml(brand.name)}</strong>`;
  return [
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"${c ? ` style="background-color:${c.background};color:${c.text}"` : ''}>`,
    `<tr><td${band}>${head}</td></tr>`,
    `<tr><td style="padding:16px${c ? `;color:${c.text}` : ''}">`,
    ...body,
    '</td></tr></table>',
  ];
}

/**
 * `own`: the enterprise's words for this kind and language (mail/notification-templates.ts), else the built-in ones;
 * `brand`: its colours and logo (mail/brand.ts), else the plain look.
 */
export async function renderMail(c: MailContent, own?: TemplateText, brand?: MailBrand): Promise<RenderedMail> {
  const m = compose(c, own);
  const image = m.image ? await renderBarcode(m.image.symbology, 'png', m.image.text) : undefined;
  const body = [...m.paragraphs.map(htmlOf), ...(m.image ? [`<p><img src="cid:${IMAGE_CID}" alt="${escapeHtml(m.image.alt)}"></p>`] : [])];
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${c.language}"><head><meta charset="utf-8"><title>${escapeHtml(m.subject)}</title></head><body${brand?.colours ? ` style="margin:0;background-color:${brand.colours.background};color:${brand.colours.text}"` : ''}>`,
    ...(brand ? branded(brand, body) : body),
    '</body></html>',
  ].join('\n');
  const attachments: RenderedMail['attachments'] = [];
  if (brand?.logo) attachments.push({ filename: 'logo.png', content: brand.logo, contentType: 'image/png', cid: LOGO_CID });
  if (image) attachments.push({ filename: m.image!.symbology === 'qrcode' ? 'code-qr.png' : 'code-barcode.png', content: image, contentType: 'image/png', cid: IMAGE_CID });
  return { subject: m.subject, text: `${m.paragraphs.map((p) => textOf(p, c.language)).join('\n\n')}\n`, html, attachments };
}
