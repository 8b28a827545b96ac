// Runs the named journeys (journeys/index.ts) in order on one cloud and one Chromium. CONSOLE_JOURNEYS=name,name runs
// only those. Two test files share the journeys between them so the two cores run them side by side.
import t from 'tap';
import { skipWithoutChromium as skip } from '../pages/browser.ts';
import { consoleWorld, type ConsoleWorld } from './browser-world.ts';
import { JOURNEYS } from './journeys/index.ts';

export function runJourneys(names: readonly string[]): void {
  const only = (process.env['CONSOLE_JOURNEYS'] ?? '').split(',').filter((x) => x !== '');
  const chosen = JOURNEYS.filter((j) => names.includes(j.name) && (only.length === 0 || only.includes(j.name)));
  if (chosen.length === 0) return;
  let world: ConsoleWorld | undefined;
  t.before(async () => {
    if (!skip) world = await consoleWorld(t);
  });
  for (const j of chosen) t.test(j.title, { skip }, (tt) => j.run(tt, world!));
}
