/**
 * The shell of the cloud's plain pages: semantic HTML that works without JavaScript, one inline style sheet allowed
 * by its hash, and the headers every page carries (a strict Content-Security-Policy, no Referer: a link's token is in
 * the URL; nothing cached).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { PageLanguage, PageWords } from './i18n.ts';

/** Text for HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Contrast of every pair at least 7:1 (WCAG AAA); a focus ring of 3px that shows on every control reached by keyboard.
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 1rem}
h2{font-size:1.125rem;margin:0 0 .5rem}
label{display:block;font-weight:600;margin-top:1.25rem}
.hint{margin:.25rem 0 .5rem;color:#3d3d3d}
.field-error{margin:.25rem 0 .5rem;color:#a00000;font-weight:600}
input[type=password],input[type=email],input[type=text]{display:block;width:100%;padding:.5rem .625rem;font:inherit;border:2px solid #3d3d3d;border-radius:4px;background:#fff;color:#1a1a1a}
input[aria-invalid=true]{border-color:#a00000}
button{margin-top:1.5rem;padding:.625rem 1.25rem;font:inherit;font-weight:600;color:#fff;background:#0b4f9c;border:2px solid #0b4f9c;border-radius:4px;cursor:pointer}
button:hover{background:#083b75}
a{color:#0b4f9c}
:focus-visible{outline:3px solid #c25400;outline-offset:2px}
.errors{border:3px solid #a00000;padding:1rem;margin:0 0 1.5rem}
.errors ul{margin:0;padding-left:1.25rem}
.notice{border-left:6px solid #0b4f9c;padding:.5rem 1rem;margin:0 0 1.5rem;background:#eef4fb}
fieldset{border:0;padding:0;margin:1.25rem 0 0}
legend{font-weight:600;padding:0}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin-top:.5rem;font-weight:400}
.choice input{margin-top:.35rem;width:1.125rem;height:1.125rem}
.qr svg{width:14rem;height:auto;display:block;margin:1rem 0}
.key,.codes{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.125rem;letter-spacing:.05em}
nav{margin-top:2rem}
`.trim();
const CSS_HASH = `'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`;

/** Only the inline style sheet above and this server's icon; forms post to this server only; no frame, no base, no plugin, no script. */
export const PAGE_CSP = `default-src 'none'; style-src ${CSS_HASH}; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export interface Page {
  lang: PageLanguage;
  title: string;
  /** The HTML of the page's main content, after its heading (already escaped). */
  body: string;
}

export function renderPage(p: Page): string {
  return `<!doctype html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(p.title)} – Portier</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(p.title)}</h1>
${p.body}
</main>
</body>
</html>
`;
}

/** Sends a page with the headers every page carries. */
export function sendPage(reply: FastifyReply, status: number, page: Page): FastifyReply {
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    })
    .send(renderPage(page));
}

/** A problem with one field of a form, or with the whole form (no field). */
export interface FormError {
  field?: string;
  message: string;
}

/** The list of a form's problems, announced when the page loads; each links to its field. */
export function errorSummary(words: PageWords, errors: readonly FormError[]): string {
  if (errors.length === 0) return '';
  const items = errors.map((e) => `<li>${e.field ? `<a href="#${esc(e.field)}">${esc(e.message)}</a>` : esc(e.message)}</li>`).join('');
  return `<div class="errors" role="alert" aria-labelledby="errors-heading"><h2 id="errors-heading">${esc(words.errorsHeading)}</h2><ul>${items}</ul></div>`;
}

/** A labelled input with its hint and its error, both tied to it with aria-describedby. */
export function inputField(f: { id: string; type: 'password' | 'email' | 'text'; label: string; hint?: string; error?: string; autocomplete: string; value?: string }): string {
  const described = [f.hint ? `${f.id}-hint` : undefined, f.error ? `${f.id}-error` : undefined].filter((x) => x !== undefined);
  return [
    `<label for="${f.id}">${esc(f.label)}</label>`,
    f.hint ? `<p class="hint" id="${f.id}-hint">${esc(f.hint)}</p>` : '',
    f.error ? `<p class="field-error" id="${f.id}-error">${esc(f.error)}</p>` : '',
    `<input id="${f.id}" name="${f.id}" type="${f.type}" autocomplete="${f.autocomplete}" required` +
      (f.value !== undefined ? ` value="${esc(f.value)}"` : '') +
      (described.length > 0 ? ` aria-describedby="${described.join(' ')}"` : '') +
      (f.error ? ' aria-invalid="true"' : '') +
      '>',
  ].join('\n');
}

export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${esc(value)}">`;
}

export function paragraph(text: string, cls?: string): string {
  return `<p${cls ? ` class="${cls}"` : ''}>${esc(text)}</p>`;
}
