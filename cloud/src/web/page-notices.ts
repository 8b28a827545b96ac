/**
 * What a page says after a post and how it asks before one: the notice of what was done (`?done=`) or refused, and an
 * action behind a disclosure, so that nothing is done by a single stray click (without any script).
 */
import { html, type SafeHtml } from './html.ts';
import { csrfField, type Viewer } from './shell.ts';

/** What a page reached after a post says was done (`?done=`), when it is one of `values`. */
export function doneOf<T extends string>(query: unknown, values: readonly T[]): { done?: T } {
  const done = (query as Record<string, unknown> | undefined)?.['done'];
  return values.find((x) => x === done) !== undefined ? { done: done as T } : {};
}

/** A notice of what was done (`role=status`) or of a refusal (`role=alert`). */
export function notice(text: SafeHtml | string | undefined, bad = false): SafeHtml | '' {
  if (!text) return '';
  return bad ? html`<div class="notice bad" role="alert"><p>${text}</p></div>` : html`<div class="notice ok" role="status"><p>${text}</p></div>`;
}

/** An action behind a disclosure: what it does, then its button (`id` names the explanation the button points to). */
export function confirmAction(v: Viewer, id: string, o: { summary: string; text: string; action: string; submit: string; danger?: boolean }): SafeHtml {
  return html`<details class="confirm"><summary>${o.summary}</summary><form method="post" action="${o.action}">${csrfField(v)}<p id="${id}-text">${o.text}</p><button type="submit"${o.danger ? html` class="danger"` : ''} aria-describedby="${id}-text">${o.submit}</button></form></details>`;
}
