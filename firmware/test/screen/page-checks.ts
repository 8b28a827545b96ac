// What a test checks of the kiosk touch screen's page drawn now, at the display sizes it is built for: touch targets
// of at least 44x44 CSS pixels, and nothing cut off or overlapping. The checks are evaluated as expressions in the
// page: this project's TypeScript has no DOM types. Shared by the firmware's screen tests and the end-to-end tests.
import type { Page } from 'playwright-core';

/** The display sizes the screen is built for: portrait, landscape, and a small landscape panel. */
export const LAYOUTS = [
  { name: 'portrait 1080x1920', width: 1080, height: 1920 },
  { name: 'landscape 1920x1080', width: 1920, height: 1080 },
  { name: 'landscape 1280x800', width: 1280, height: 800 },
] as const;

/** Touch targets (buttons, fields) smaller than 44x44 CSS pixels on the page drawn now, with their size. */
const SMALL_TARGETS = `[...document.querySelectorAll('button, input, [role=button], a')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 44 || r.height < 44)
    .map(({ e, r }) => (e.dataset.key || e.dataset.option || e.id || e.textContent.trim()) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`;

/**
 * What is cut off or overlaps on the page drawn now: a control or text outside the window (the page never scrolls
 * sideways; the screen area may scroll down only if it must, and then every control is still reachable in it), two
 * controls or texts whose boxes overlap, or a floating message (a notice, the connection warning) over either.
 */
const LAYOUT_PROBLEMS = `(() => {
    const out = [];
    const W = window.innerWidth, H = window.innerHeight;
    if (document.documentElement.scrollWidth > W + 1) out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
    const name = (e) => e.tagName.toLowerCase() + (e.dataset.key ? '[key=' + e.dataset.key + ']' : e.dataset.option ? '[option=' + e.dataset.option + ']' : e.id ? '#' + e.id : '') ;
    const screen = document.getElementById('screen');
    const items = [...document.querySelectorAll('#screen button, #screen input, #screen output, #screen h1, #screen p, #screen li')]
      .filter((e) => e.offsetParent !== null && e.getClientRects().length > 0);
    for (const e of items) {
      const r = e.getBoundingClientRect();
      if (r.left < -1 || r.right > W + 1) out.push(name(e) + ' cut off at the side: ' + Math.round(r.left) + '..' + Math.round(r.right));
      const bottom = r.bottom + screen.scrollTop;
      if (r.top + screen.scrollTop < -1 || bottom > screen.scrollHeight + screen.getBoundingClientRect().top + 1) out.push(name(e) + ' outside the screen area');
      if (e.scrollWidth > e.clientWidth + 2 && getComputedStyle(e).overflowX === 'hidden') out.push(name(e) + ' text clipped');
      // A label wider than its key spills over the key's edge (or under the next key) whatever the overflow style.
      else if (e.matches('button') && e.scrollWidth > e.clientWidth + 2) out.push(name(e) + ' text wider than the key: ' + e.scrollWidth + ' > ' + e.clientWidth);
    }
    const overlap = (p, q) => {
      const a = p.getBoundingClientRect(), b = q.getBoundingClientRect();
      return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    };
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        if (items[i].contains(items[j]) || items[j].contains(items[i])) continue;
        if (overlap(items[i], items[j])) out.push(name(items[i]) + ' overlaps ' + name(items[j]));
      }
    }
    // What floats over the page (a notice, the connection warning) must not hide a control or a text.
    // An item scrolled out of the screen area is clipped by it, not under the message: only its visible part counts.
    const floating = [...document.querySelectorAll('#notice, #connecting')].filter((e) => { const st = getComputedStyle(e); return st.display !== 'none' && st.visibility !== 'hidden' && e.getClientRects().length > 0; });
    const area = screen.getBoundingClientRect();
    const covers = (f, e) => {
      const a = f.getBoundingClientRect(), b = e.getBoundingClientRect();
      const top = Math.max(b.top, area.top), bottom = Math.min(b.bottom, area.bottom);
      return bottom - top > 1 && Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, bottom) - Math.max(a.top, top) > 1;
    };
    for (const f of floating) for (const e of items) if (covers(f, e)) out.push('#' + f.id + ' covers ' + name(e));
    return out;
  })()`;

/** Touch targets (buttons, fields) smaller than 44x44 CSS pixels on the page drawn now, with their size. */
export async function smallTargets(page: Page): Promise<string[]> {
  return (await page.evaluate(SMALL_TARGETS)) as string[];
}

/** What is cut off or overlaps on the page drawn now (see LAYOUT_PROBLEMS). */
export async function layoutProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(LAYOUT_PROBLEMS)) as string[];
}

/** Both checks of the page drawn now in one round trip: small targets first, named as such, then layout problems. */
export async function pageProblems(page: Page): Promise<string[]> {
  const r = (await page.evaluate(`({ small: ${SMALL_TARGETS}, layout: ${LAYOUT_PROBLEMS} })`)) as { small: string[]; layout: string[] };
  return [...r.small.map((x) => `target under 44x44: ${x}`), ...r.layout];
}
