/** The set-up page, `/console/settings`: the set-up screens the person may open, in groups, each with what it is for. */
import { viewerOf, type ConsoleScreen } from '../console.ts';
import { html } from '../html.ts';
import { CONSOLE_PATHS, setupScreensOf } from '../menu.ts';
import { sendConsolePage } from '../shell.ts';
import { SETUP_GROUPS, SETUP_PATHS, SETUP_WORDS } from './setup-screens.ts';

export const settingsScreen: ConsoleScreen = (app) => {
  app.get(CONSOLE_PATHS.settings, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = SETUP_WORDS[v.lang];
    const allowed = new Set(setupScreensOf(v.principal));
    const groups = Object.entries(SETUP_GROUPS)
      .map(([g, keys]) => ({ g: g as keyof typeof SETUP_GROUPS, keys: keys.filter((k) => allowed.has(k)) }))
      .filter((x) => x.keys.length > 0);
    // A role that sets nothing up (a recipient, a carrier) is refused like for any page it may not open.
    if (groups.length === 0) return sendConsolePage(reply, 403, v, { title: w.title, active: 'settings', body: html`<p>${w.none}</p>` });
    const body = html`<p>${w.intro}</p>
${groups.map(
  ({ g, keys }) => html`<section class="setup" aria-labelledby="setup-${g}"><h2 id="setup-${g}">${w.groups[g]}</h2>
<ul class="setup-list">${keys.map((k) => html`<li><a href="${SETUP_PATHS[k]}">${w.screens[k].name}</a><p>${w.screens[k].about}</p></li>`)}</ul></section>`,
)}`;
    return sendConsolePage(reply, 200, v, { title: w.title, active: 'settings', body });
  });
};
