/**
 * The frame of every console page: skip link, header (who is signed in, the language switch, sign-out), the menu of
 * what the role may open, the idle warning, and the main content. The headers every page carries: a policy that
 * runs only this server's scripts and styles (no inline script, no inline style, nothing from elsewhere), no
 * framing, no Referer, nothing cached.
 */
import type { FastifyReply } from 'fastify';
import type { Principal } from '../auth/service.ts';
import { PAGE_LANGUAGES, type PageLanguage } from '../http/pages/i18n.ts';
import { consoleAssets } from './assets/assets.ts';
import { html, type SafeHtml } from './html.ts';
import { CONSOLE_PATHS, menuOf } from './menu.ts';
import { SHELL_WORDS, type MenuKey } from './shell-words.ts';

export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * htmx: no inline style of its own, no eval, no script from a swapped fragment, requests to this server only, no copy
 * of pages kept in the browser's storage, and a refusal's answer (a 4xx or 5xx page or fragment saying why) swapped in
 * like any other: htmx's default drops those, and the person would see nothing happen.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '...', swap: true },
  ],
});

/** Who is looking at a page, and what the frame needs of them. */
export interface Viewer {
  principal: Principal;
  lang: PageLanguage;
  /** The anti-forgery token of their session (every form and htmx request carries it). */
  csrf: string;
  /** How they are named in the header. */
  displayName: string;
  /** Seconds without a request before their session ends (the idle warning comes a minute before). */
  idleSeconds: number;
  /** The path and query of the page (the language switch comes back to it). */
  here: string;
}

export interface ConsolePage {
  title: string;
  /** The menu entry the page belongs to. */
  active?: MenuKey;
  body: SafeHtml;
}

export const CSRF_FIELD = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The hidden anti-forgery field of a form. */
export function csrfField(v: Viewer): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${v.csrf}">`;
}

export function renderConsolePage(v: Viewer, p: ConsolePage): string {
  const w = SHELL_WORDS[v.lang];
  const a = consoleAssets();
  const menu = menuOf(v.principal).map((k) => html`<li><a href="${CONSOLE_PATHS[k]}"${k === p.active ? html` aria-current="page"` : ''}>${w.menuItems[k]}</a></li>`);
  const other = PAGE_LANGUAGES.filter((l) => l !== v.lang);
  const signedOut = `/account/sign-in?lang=${v.lang}&signedOut=idle`;
  return html`<!doctype html>
<html lang="${v.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${p.title} – ${w.console}</title>
<link rel="icon" href="/console/assets/${a.icon.name}" type="image/svg+xml">
<link rel="stylesheet" href="/console/assets/${a.css.name}">
<script src="/console/assets/${a.htmx.name}" defer></script>
<script src="/console/assets/${a.js.name}" defer></script>
</head>
<body hx-boost="true" hx-headers="${JSON.stringify({ 'x-csrf-token': v.csrf })}" data-idle-seconds="${v.idleSeconds}" data-signed-out="${signedOut}">
<a class="skip" href="#main">${w.skip}</a>
<header class="top">
<a class="brand" href="/console">${w.console}</a>
<div class="who">
<span>${w.signedInAs(v.displayName)}</span>
${other.map(
  (l) => html`<form method="post" action="/console/language" hx-boost="false">${csrfField(v)}<input type="hidden" name="lang" value="${l}"><input type="hidden" name="back" value="${v.here}"><button type="submit" lang="${l}">${SHELL_WORDS[l].name}</button></form>`,
)}
<form method="post" action="/console/sign-out" hx-boost="false">${csrfField(v)}<button type="submit">${w.signOut}</button></form>
</div>
</header>
<nav class="menu" aria-label="${w.menu}"><ul>${menu}</ul></nav>
<main id="main" tabindex="-1">
<h1>${p.title}</h1>
${p.body}
</main>
<div id="idle-warning" class="idle" role="alertdialog" aria-modal="false" aria-labelledby="idle-text" hidden>
<p id="idle-text">${w.idleWarning}</p>
<button type="button" hx-post="/console/keepalive" hx-swap="none">${w.staySignedIn}</button>
</div>
</body>
</html>
`.text;
}

/** The headers of every console answer (pages, fragments, errors). */
export function consoleHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'content-security-policy': CONSOLE_CSP,
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // A page and its htmx fragment share a URL: a cache must not serve one for the other.
    vary: 'HX-Request',
  });
}

export function sendConsolePage(reply: FastifyReply, status: number, v: Viewer, p: ConsolePage): FastifyReply {
  return consoleHeaders(reply).code(status).type('text/html; charset=utf-8').send(renderConsolePage(v, p));
}

/** A fragment for htmx to swap in. */
export function sendFragment(reply: FastifyReply, status: number, body: SafeHtml): FastifyReply {
  return consoleHeaders(reply).code(status).type('text/html; charset=utf-8').send(body.text);
}
