// Memory soak: the cloud (`portier-cloud serve`, a process of its own) and a controller on the simulator (another)
// under steady traffic for MEMORY_SOAK_MINUTES (5 in `make bench`, 60 in `make soak`): reservations made, dropped
// off and picked up, door events from doors opened and shut, activity queries. Each process's RSS is sampled every
// few seconds; the figure is the slope, in MB per hour, of a least-squares line through the lower envelope of the
// samples after the first fifth (start-up and warm-up): the lowest RSS of each tenth of the run, what is left after
// the collector ran, so the sawtooth of garbage between collections does not read as growth. A process that keeps
// what it no longer needs shows a slope that does not fall as the run gets longer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from '../lib/stats.ts';
import { api, freePort, killCloud, login, startCloudChild } from '../lib/cloud-child.ts';
import { startColumn } from '../lib/soak-columns.ts';
import { DOORS_PER_COLUMN, RESERVABLE, SOAK_BANK, seedSoakSite } from '../lib/soak-site.ts';

const MINUTES = Number(process.env.MEMORY_SOAK_MINUTES ?? 5);
const SAMPLE_MS = Math.max(1000, Math.round((MINUTES * 60_000) / 300));
const progress = (msg: string): void => void process.stderr.write(`memory: ${msg}\n`);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Least-squares slope of `mb` over `atMs`, in MB per hour. */
function slopePerHour(samples: Array<{ atMs: number; mb: number }>): number {
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.atMs, 0) / n;
  const my = samples.reduce((s, p) => s + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    num += (p.atMs - mx) * (p.mb - my);
    den += (p.atMs - mx) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 3_600_000;
}

const dir = mkdtempSync(join(tmpdir(), 'portier-memory-'));
const dataDir = join(dir, 'cloud');
try {
  const mqttPort = await freePort();
  const site = await seedSoakSite(dataDir, dir, mqttPort);
  const cloud = await startCloudChild(dataDir, mqttPort);
  // Column 2's controller: a door opened or shut every 500 ms, each a recorded event sent to the cloud.
  const column = await startColumn({ controllerConfig: site.controllerConfig(2), simDir: join(dir, 'sim'), doors: DOORS_PER_COLUMN, brokerUrl: `mqtt://127.0.0.1:${mqttPort}`, mode: 'doors', periodMs: 500 });
  const token = await login(cloud.url);
  const samples = { cloud: [] as Array<{ atMs: number; mb: number }>, controller: [] as Array<{ atMs: number; mb: number }> };
  const t0 = Date.now();
  const end = t0 + MINUTES * 60_000;
  const sampler = setInterval(() => {
    const atMs = Date.now() - t0;
    samples.cloud.push({ atMs, mb: rssMb(cloud.pid) });
    samples.controller.push({ atMs, mb: rssMb(column.child.pid!) });
  }, SAMPLE_MS);
  let ops = 0;
  let n = 0;
  try {
    // About four operations a second: a reservation's life (made, dropped off, picked up) and an activity page.
    while (Date.now() < end) {
      const r = await api(cloud.url, token, 'POST', '/reservations', { bankId: SOAK_BANK, kind: 'package', recipient: { type: 'contact', id: 'soak-rec' }, size: 'S', trackingId: `M-${n++}` });
      if (r.status === 201) {
        const id = (r.json.reservation as { id: string }).id;
        const d = await api(cloud.url, token, 'POST', `/reservations/${id}/drop-off`, {});
        if (d.status !== 200) throw new Error(`drop-off: ${d.status} ${JSON.stringify(d.json)}`);
        const p = await api(cloud.url, token, 'POST', `/reservations/${id}/end`, { reason: 'picked-up' });
        if (p.status !== 200) throw new Error(`pickup: ${p.status} ${JSON.stringify(p.json)}`);
      } else if (r.status !== 409) throw new Error(`reservation: ${r.status} ${JSON.stringify(r.json)}`);
      const a = await api(cloud.url, token, 'GET', `/activity?bankId=${SOAK_BANK}&limit=100&from=${Date.now() - 600_000}`);
      if (a.status !== 200) throw new Error(`activity: ${a.status} ${JSON.stringify(a.json)}`);
      ops += 4;
      if (ops % 2000 === 0) progress(`${Math.round((Date.now() - t0) / 1000)} s, ${ops} operations, cloud ${samples.cloud.at(-1)?.mb.toFixed(1)} MB`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    clearInterval(sampler);
    await column.stop();
    await killCloud(cloud, 'SIGTERM');
  }
  // After the first fifth, the lowest sample of each tenth of what is left.
  const steady = (s: Array<{ atMs: number; mb: number }>) => {
    const rest = s.slice(Math.floor(s.length / 5));
    const size = Math.max(1, Math.floor(rest.length / 10));
    const floors: Array<{ atMs: number; mb: number }> = [];
    for (let i = 0; i < rest.length; i += size) {
      const part = rest.slice(i, i + size);
      floors.push(part.reduce((lo, p) => (p.mb < lo.mb ? p : lo)));
    }
    return floors;
  };
  process.stdout.write(
    `${MINUTES} min, ${ops} API operations, ${RESERVABLE} reservable lockers; cloud RSS ${samples.cloud[0]?.mb.toFixed(1)} -> ${samples.cloud.at(-1)?.mb.toFixed(1)} MB, ` +
      `controller ${samples.controller[0]?.mb.toFixed(1)} -> ${samples.controller.at(-1)?.mb.toFixed(1)} MB (${samples.cloud.length} samples)\n`,
  );
  bench('cloud_rss_slope_mb_per_h', slopePerHour(steady(samples.cloud)), 'MB/h');
  bench('controller_rss_slope_mb_per_h', slopePerHour(steady(samples.controller)), 'MB/h');
  bench('cloud_rss_end_mb', samples.cloud.at(-1)?.mb ?? NaN, 'MB');
  bench('controller_rss_end_mb', samples.controller.at(-1)?.mb ?? NaN, 'MB');
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dataDir}.secrets.key`, { force: true });
}
