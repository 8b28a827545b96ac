/**
 * The console's template engine: a tagged template that escapes every value put into it, unless the value is HTML
 * made by this engine itself. A page is built from `html` fragments, so text from the store, a request or the API
 * (a contact's name, a tracking id, an error message) can never become markup.
 */

/** HTML this engine made: put into another fragment as it is. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** What a template may hold: text (escaped), HTML (as is), a list of either (joined), or nothing (empty). */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const SPECIAL = /[&<>"']/;

/** Text for HTML content and attribute values. */
export function escapeText(s: string): string {
  // Most values (numbers, ids, names) have nothing to escape: no new string for them.
  return SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : s;
}

function render(v: HtmlValue): string {
  if (typeof v === 'string') return escapeText(v);
  if (v instanceof SafeHtml) return v.text;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) {
    let out = '';
    for (const x of v as readonly HtmlValue[]) out += render(x);
    return out;
  }
  return escapeText(String(v));
}

/** A fragment of HTML: the literal parts as written, each value escaped (see HtmlValue). */
export function html(parts: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + parts[i + 1]!;
  return new SafeHtml(out);
}

/** An attribute present or absent: ` name` or nothing (`checked`, `selected`, `disabled`). */
export function flag(name: string, on: boolean | undefined): SafeHtml {
  return new SafeHtml(on ? ` ${name}` : '');
}
