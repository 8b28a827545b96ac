// Durability soak: the cloud SIGKILLed under a mixed stream of writes (cloud-lane.ts), then a controller SIGKILLed
// while it records door events with the cloud going down and up (controller-lane.ts). Every acknowledged write and
// every recorded event must be accounted for at the end. `make bench` runs 100 cloud kills and 30 controller kills;
// `make soak` runs 1,000 and 300 (DURABILITY_CLOUD_KILLS, DURABILITY_CONTROLLER_KILLS). DURABILITY_SEED replays a run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@portier/sim';
import { bench } from '../lib/stats.ts';
import { freePort } from '../lib/cloud-child.ts';
import { cloudLane } from './cloud-lane.ts';
import { controllerLane } from './controller-lane.ts';
import { seedSoakSite } from '../lib/soak-site.ts';

const CLOUD_KILLS = Number(process.env.DURABILITY_CLOUD_KILLS ?? 100);
const CONTROLLER_KILLS = Number(process.env.DURABILITY_CONTROLLER_KILLS ?? 30);
const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);


const dir = mkdtempSync(join(tmpdir(), 'portier-durability-'));
const dataDir = join(dir, 'cloud');
let failed = false;
try {
  process.stderr.write(`durability: seed ${seed} (replay with DURABILITY_SEED=${seed})\n`);
  const mqttPort = await freePort();
  const site = await seedSoakSite(dataDir, dir, mqttPort);
  const rnd = mulberry32(seed);
  const started = Date.now();
  const c = await cloudLane({ dataDir, simDir: join(dir, 'sim-1'), mqttPort, site, kills: CLOUD_KILLS, rnd });
  const a = c.acknowledged;
  process.stdout.write(
    `cloud: ${c.kills} kills in ${Math.round((Date.now() - started) / 1000)} s (start-up p50 ${c.startMsP50} ms); acknowledged ${a.reservations} reservations, ` +
      `${a.ends} ends, ${a.contacts} contacts, ${a.renames} renames, ${a.serviceChanges} service changes, ${a.remoteOpens} remote opens\n`,
  );
  for (const p of c.problems) process.stdout.write(`  lost: ${p}\n`);
  bench('durability_cloud_kills', c.kills, 'kills');
  bench('durability_cloud_acked_writes', a.reservations + a.ends + a.contacts + a.renames + a.serviceChanges + a.remoteOpens, 'writes');
  bench('durability_cloud_lost_writes', c.lost, 'writes');

  const t1 = Date.now();
  const k = await controllerLane({ dataDir, simDir: join(dir, 'sim-2'), mqttPort, site, kills: CONTROLLER_KILLS, rnd });
  process.stdout.write(`controller: ${k.kills} kills, ${k.cloudRestarts} cloud kills meanwhile, in ${Math.round((Date.now() - t1) / 1000)} s; ${k.events} events recorded\n`);
  bench('durability_controller_kills', k.kills, 'kills');
  bench('durability_controller_events', k.events, 'events');
  bench('durability_controller_lost_events', k.lost, 'events');
  bench('durability_controller_duplicate_events', k.duplicates + k.conflicts, 'events');
  failed = c.lost > 0 || k.lost > 0 || k.duplicates + k.conflicts > 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dataDir}.secrets.key`, { force: true });
}
if (failed) process.exitCode = 1;
