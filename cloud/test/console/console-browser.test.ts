// The console in a real Chromium: each screen's journey (journeys/*.ts) on one running cloud and one browser, in the
// order below (later journeys may rely on what earlier ones left). CONSOLE_JOURNEYS=name,name runs only those.
import t from 'tap';
import { skipWithoutChromium as skip } from '../pages/browser.ts';
import { consoleWorld, type ConsoleWorld } from './browser-world.ts';
import { JOURNEYS } from './journeys/index.ts';

const only = (process.env['CONSOLE_JOURNEYS'] ?? '').split(',').filter((x) => x !== '');
let world: ConsoleWorld | undefined;

t.before(async () => {
  if (!skip) world = await consoleWorld(t);
});

for (const j of JOURNEYS) {
  if (only.length > 0 && !only.includes(j.name)) continue;
  t.test(j.title, { skip }, (tt) => j.run(tt, world!));
}
