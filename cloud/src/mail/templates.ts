/**
 * A message ready for SMTP from its content: subject, a text part, an HTML part (escaped; its image inline by
 * `cid:`), and the code's image as an inline PNG attachment. Pure apart from drawing the image.
 */
import { renderBarcode } from '../http/barcode.ts';
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

/** `own`: the enterprise's words for this kind and language (mail/notification-templates.ts), else the built-in ones. */
export async function renderMail(c: MailContent, own?: TemplateText): Promise<RenderedMail> {
  const m = compose(c, own);
  const image = m.image ? await renderBarcode(m.image.symbology, 'png', m.image.text) : undefined;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${c.language}"><head><meta charset="utf-8"><title>${escapeHtml(m.subject)}</title></head><body>`,
    ...m.paragraphs.map(htmlOf),
    ...(m.image ? [`<p><img src="cid:${IMAGE_CID}" alt="${escapeHtml(m.image.alt)}"></p>`] : []),
    '</body></html>',
  ].join('\n');
  return {
    subject: m.subject,
    text: `${m.paragraphs.map((p) => textOf(p, c.language)).join('\n\n')}\n`,
    html,
    attachments: image ? [{ filename: m.image!.symbology === 'qrcode' ? 'code-qr.png' : 'code-barcode.png', content: image, contentType: 'image/png', cid: IMAGE_CID }] : [],
  };
}
