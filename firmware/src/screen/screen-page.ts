// The page's HTML frame and its two files. The frame holds no session content: the script draws each view it is sent
// (the first one as soon as it connects), so a reload or a restarted browser shows the session where it stands.
import { readFileSync } from 'node:fs';
import type { Lang } from '../i18n/index.ts';
import { translate } from '../i18n/index.ts';

const files = new Map<string, string>();

/** `screen.js` or `screen.css`, read once from `assets/` beside this module. */
export function screenAsset(name: 'screen.js' | 'screen.css'): string {
  let text = files.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
    files.set(name, text);
  }
  return text;
}

/** The frame in the language of the view on screen; no zoom is forbidden (a person may need it), the browser's flags stop pinching. */
export function screenPageHtml(lang: Lang): string {
  const connecting = translate({ key: 'screen.connecting' }, lang);
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portier</title>
<link rel="stylesheet" href="/screen.css">
<script type="module" src="/screen.js"></script>
</head>
<body>
<div id="brand" class="brand" hidden><img id="logo" alt=""></div>
<main id="screen" class="screen" aria-busy="true"><h1 id="title">${connecting}</h1></main>
<div id="notice" class="notice" role="status" aria-live="polite"></div>
<p id="connecting" class="connecting-text">${connecting}</p>
</body>
</html>
`;
}
