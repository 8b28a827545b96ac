// The controller half of the durability soak: a real controller on the simulator records door events (doors forced
// open and shut again all the time) and is SIGKILLed again and again, while the cloud goes down and up too (killed
// before every tenth start of the controller and brought back while the controller runs offline). At the end the
// controller drains its outbox, and the cloud's event journal must hold every seq from 1 to the controller's last,
// once, with no gap or conflict recorded: every event the controller put on disk reached the cloud.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimePaths, JOURNAL_FILE } from '@portier/cloud';
import { parseLine } from '@portier/protocol';
import { killCloud, startCloudChild, type CloudChild } from '../lib/cloud-child.ts';
import { startColumn, type ColumnProcess } from '../lib/soak-columns.ts';
import { DOORS_PER_COLUMN } from '../lib/soak-site.ts';
import type { LaneOptions } from './cloud-lane.ts';

export interface ControllerLaneResult {
  kills: number;
  cloudRestarts: number;
  /** The controller's last seq: every event it recorded. */
  events: number;
  lost: number;
  duplicates: number;
  conflicts: number;
}

const progress = (msg: string): void => void process.stderr.write(`durability: ${msg}\n`);

/** Seqs of `controllerId` in the cloud's event journal: stored events, repeats, gaps and conflicts recorded. */
function journalOf(dataDir: string, controllerId: string): { seqs: Set<number>; duplicates: number; gaps: number; conflicts: number } {
  const text = readFileSync(join(runtimePaths(dataDir).events, JOURNAL_FILE), 'utf8');
  const seqs = new Set<number>();
  let duplicates = 0;
  let gaps = 0;
  let conflicts = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const framed = parseLine(line);
    if (!framed.ok) throw new Error(`event journal line: ${framed.why}`);
    const rec = framed.value as { kind?: string; controllerId: string; seq?: number };
    if (rec.controllerId !== controllerId) continue;
    if (rec.kind === 'gap') gaps++;
    else if (rec.kind === 'conflict') conflicts++;
    else if (rec.seq !== undefined) {
      if (seqs.has(rec.seq)) duplicates++;
      seqs.add(rec.seq);
    }
  }
  return { seqs, duplicates, gaps, conflicts };
}

export async function controllerLane(o: LaneOptions): Promise<ControllerLaneResult> {
  const brokerUrl = `mqtt://127.0.0.1:${o.mqttPort}`;
  const column = (): Promise<ColumnProcess> =>
    startColumn({ controllerConfig: o.site.controllerConfig(2), simDir: o.simDir, doors: DOORS_PER_COLUMN, brokerUrl, mode: 'doors', periodMs: 30 });
  const recorded: number[] = [];
  let cloud: CloudChild | undefined = await startCloudChild(o.dataDir, o.mqttPort);
  let cloudRestarts = 0;
  let running: ColumnProcess | undefined;
  let last: number;
  try {
    for (let k = 0; k < o.kills; k++) {
      if (k % 50 === 0) progress(`controller kill ${k} of ${o.kills}`);
      let back: Promise<void> | undefined;
      if (k % 10 === 9 && cloud) {
        await killCloud(cloud, 'SIGKILL');
        cloud = undefined;
        cloudRestarts++;
        // Back while the controller runs (or after it was killed again): its outbox holds what it recorded meanwhile.
        back = new Promise((r) => setTimeout(r, 200 + Math.floor(o.rnd() * 800))).then(async () => {
          cloud = await startCloudChild(o.dataDir, o.mqttPort);
        });
      }
      running = await column();
      await new Promise((r) => setTimeout(r, 200 + Math.floor(o.rnd() * 800)));
      await running.kill();
      recorded.push(...running.recorded);
      running = undefined;
      await back;
    }
    cloud ??= await startCloudChild(o.dataDir, o.mqttPort);
    running = await column();
    last = await running.drain(120_000);
    await running.stop();
    running = undefined;
  } finally {
    await running?.kill();
    if (cloud) await killCloud(cloud, 'SIGTERM');
  }
  const j = journalOf(o.dataDir, o.site.controllerId(2));
  let lost = j.gaps;
  for (let seq = 1; seq <= last; seq++) if (!j.seqs.has(seq)) lost++;
  // Every seq the controller reported on disk before a kill is within what it drained at the end.
  for (const seq of recorded) if (seq > last) lost++;
  return { kills: o.kills, cloudRestarts, events: last, lost, duplicates: j.duplicates, conflicts: j.conflicts };
}
