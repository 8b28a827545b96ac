// The cloud half of the durability soak: `portier-cloud serve` SIGKILLed again and again under a mixed stream of
// writes over the API (reservations made and ended, contacts made and renamed, lockers put out of service and back,
// remote opens answered by a real controller on the simulator). A write counts as acknowledged when the API answered
// it 2xx. After every restart the writes acknowledged since the last check must be there, and at the end all of
// them: a value changed twice must show the last acknowledged one (or the one in flight when the cloud died, which
// may or may not have reached the disk).
import { api, killCloud, login, startCloudChild, type CloudChild } from '../lib/cloud-child.ts';
import { startColumn, type ColumnProcess } from '../lib/soak-columns.ts';
import { DOORS_PER_COLUMN, RESERVABLE, SERVICE_LOCKERS, SOAK_BANK, type SoakSite } from '../lib/soak-site.ts';

export interface CloudLaneResult {
  kills: number;
  acknowledged: { reservations: number; ends: number; contacts: number; renames: number; serviceChanges: number; remoteOpens: number };
  lost: number;
  /** What was lost, for the report (empty when nothing was). */
  problems: string[];
  startMsP50: number;
}

/** A value written again and again: what the last 2xx said, and what was on its way when the cloud died. */
interface Latest {
  acked?: string;
  inFlight?: string;
}

const WORKERS = 3;
const progress = (msg: string): void => void process.stderr.write(`durability: ${msg}\n`);

/** What a lane of the soak works on: the cloud's data folder and broker port, the site, its share of kills. */
export interface LaneOptions {
  dataDir: string;
  /** The simulator's folder of the lane's column (its controller's durable state). */
  simDir: string;
  mqttPort: number;
  site: SoakSite;
  kills: number;
  rnd: () => number;
}

export async function cloudLane(o: LaneOptions): Promise<CloudLaneResult> {
  const reservations = new Set<string>();
  const ends = new Set<string>();
  const contacts = new Map<string, Latest>();
  const services = new Map<number, Latest>(SERVICE_LOCKERS.map((n) => [n, {}]));
  const opens = new Set<string>();
  let renames = 0;
  let serviceChanges = 0;
  const unchecked = { reservations: [] as string[], ends: [] as string[], opens: [] as string[] };
  const problems: string[] = [];
  const startMs: number[] = [];
  let cloud: CloudChild | undefined;
  let column: ColumnProcess | undefined;
  let token: string | undefined;

  const checkReservations = async (url: string, ids: string[], ended: Set<string>): Promise<void> => {
    for (const id of ids) {
      const r = await api(url, token, 'GET', `/reservations/${id}`);
      if (r.status !== 200) problems.push(`reservation ${id} acknowledged, then missing (${r.status})`);
      else if (ended.has(id) && (r.json.reservation as { status: string }).status !== 'ended') problems.push(`reservation ${id}: its end was acknowledged, then lost`);
    }
  };
  const checkOpens = async (url: string, ids: string[]): Promise<void> => {
    if (ids.length === 0) return;
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const r = await api(url, token, 'GET', `/activity?type=remote-open&bankId=${SOAK_BANK}&limit=10000${cursor ? `&cursor=${cursor}` : ''}`);
      if (r.status !== 200) throw new Error(`activity query failed: ${r.status} ${JSON.stringify(r.json)}`);
      for (const e of r.json.activity as Array<{ detail?: string }>) {
        const m = /command (cmd-[0-9a-f-]+)/.exec(e.detail ?? '');
        if (m) seen.add(m[1]!);
      }
      cursor = r.json.nextCursor as string | undefined;
    } while (cursor);
    for (const id of ids) if (!seen.has(id)) problems.push(`remote open ${id} acknowledged, then not on record`);
  };
  const checkLatest = async (url: string): Promise<void> => {
    for (const [id, v] of contacts) {
      const r = await api(url, token, 'GET', `/contacts/${id}`);
      const name = (r.json.contact as { lastName?: string } | undefined)?.lastName;
      if (r.status === 404 && v.acked === undefined) {
        contacts.delete(id); // its creation was in flight when the cloud died and did not reach the disk
        continue;
      }
      if (r.status !== 200) problems.push(`contact ${id} acknowledged, then missing (${r.status})`);
      else if (name !== v.acked && name !== v.inFlight) problems.push(`contact ${id}: name ${name}, acknowledged ${v.acked}`);
      v.inFlight = undefined;
      if (name !== undefined) v.acked = name;
    }
    for (const [n, v] of services) {
      if (v.acked === undefined && v.inFlight === undefined) continue;
      const r = await api(url, token, 'GET', `/banks/${SOAK_BANK}/lockers/${n}`);
      const state = (r.json as { locker?: { service?: string } }).locker?.service;
      if (state !== v.acked && state !== v.inFlight) problems.push(`locker ${n}: service ${state}, acknowledged ${v.acked}`);
      v.inFlight = undefined;
      if (state !== undefined) v.acked = state;
    }
  };

  try {
    column = await startColumn({ controllerConfig: o.site.controllerConfig(1), simDir: o.simDir, doors: DOORS_PER_COLUMN, brokerUrl: `mqtt://127.0.0.1:${o.mqttPort}`, mode: 'answer' });
    for (let round = 0; round <= o.kills; round++) {
      const t0 = Date.now();
      cloud = await startCloudChild(o.dataDir, o.mqttPort);
      startMs.push(Date.now() - t0);
      const { url } = cloud;
      token ??= await login(url);
      // What the last round had acknowledged is there, and the values written over and over show an acknowledged one.
      await checkReservations(url, unchecked.reservations.splice(0), ends);
      await checkReservations(url, unchecked.ends.splice(0), ends);
      await checkOpens(url, unchecked.opens.splice(0));
      await checkLatest(url);
      if (problems.length > 0 || round === o.kills) break;
      if (round % 50 === 0) progress(`round ${round} of ${o.kills}: ${reservations.size} reservations, ${opens.size} remote opens acknowledged so far`);

      // Free the lockers still held, so the stream below always has room.
      const live = await api(url, token, 'GET', `/reservations?bankId=${SOAK_BANK}&limit=10000`);
      for (const r of live.json.reservations as Array<{ id: string; status: string }>) {
        const e = await api(url, token, 'POST', `/reservations/${r.id}/end`, { reason: 'cancelled' });
        if (e.status === 200) ends.add(r.id);
      }

      let stop = false;
      let n = 0;
      let firstAck!: () => void;
      const acknowledged = new Promise<void>((r) => (firstAck = r));
      const write = async (w: number): Promise<void> => {
        const pick = o.rnd();
        if (pick < 0.35) {
          const r = await api(url, token, 'POST', '/reservations', { bankId: SOAK_BANK, kind: 'package', recipient: { type: 'contact', id: 'soak-rec' }, size: 'S', trackingId: `S-${round}-${w}-${n++}` });
          if (r.status === 201) {
            const id = (r.json.reservation as { id: string }).id;
            reservations.add(id);
            unchecked.reservations.push(id);
            firstAck();
            if (o.rnd() < 0.5) {
              const e = await api(url, token, 'POST', `/reservations/${id}/end`, { reason: 'cancelled' });
              if (e.status === 200) {
                ends.add(id);
                unchecked.ends.push(id);
              }
            }
          } else if (r.status !== 409) throw new Error(`reservation: unexpected ${r.status}: ${JSON.stringify(r.json)}`);
        } else if (pick < 0.55) {
          const mine = [...contacts.keys()].filter((id) => id.endsWith(`-w${w}`));
          if (mine.length < 5) {
            const id = `soak-c-${round}-${n++}-w${w}`;
            const lastName = `Person${round}x${n}`;
            contacts.set(id, { inFlight: lastName });
            const r = await api(url, token, 'POST', '/contacts', { id, firstName: 'Soak', lastName });
            if (r.status !== 201) throw new Error(`contact: unexpected ${r.status}: ${JSON.stringify(r.json)}`);
            contacts.set(id, { acked: lastName });
            firstAck();
          } else {
            const id = mine[Math.floor(o.rnd() * mine.length)]!;
            const v = contacts.get(id)!;
            const name = `Renamed${round}x${n++}`;
            v.inFlight = name;
            const r = await api(url, token, 'PATCH', `/contacts/${id}`, { lastName: name });
            if (r.status !== 200) throw new Error(`rename: unexpected ${r.status}: ${JSON.stringify(r.json)}`);
            v.acked = name;
            v.inFlight = undefined;
            renames++;
            firstAck();
          }
        } else if (pick < 0.75) {
          // Each worker owns its own lockers, so two writes to one value are never in flight at once.
          const mine = SERVICE_LOCKERS.filter((_, i) => i % WORKERS === w);
          const locker = mine[Math.floor(o.rnd() * mine.length)]!;
          const v = services.get(locker)!;
          const state = v.acked === 'out-of-service' ? 'in-service' : 'out-of-service';
          v.inFlight = state;
          const r = await api(url, token, 'PUT', `/banks/${SOAK_BANK}/lockers/${locker}/service`, { state, reason: 'soak' });
          if (r.status !== 200) throw new Error(`service: unexpected ${r.status}: ${JSON.stringify(r.json)}`);
          v.acked = state;
          v.inFlight = undefined;
          serviceChanges++;
          firstAck();
        } else {
          const locker = 1 + Math.floor(o.rnd() * Math.min(RESERVABLE, DOORS_PER_COLUMN));
          const r = await api(url, token, 'POST', `/banks/${SOAK_BANK}/lockers/${locker}/open`, { reason: 'soak' });
          if (r.status !== 200) throw new Error(`remote open: unexpected ${r.status}: ${JSON.stringify(r.json)}`);
          const id = r.json.commandId as string;
          opens.add(id);
          unchecked.opens.push(id);
          firstAck();
        }
      };
      const worker = async (w: number): Promise<void> => {
        while (!stop) {
          try {
            await write(w);
          } catch (err) {
            if (stop) return; // the connection died with the server: not acknowledged
            throw err;
          }
        }
      };
      let failed: unknown;
      const settled = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w))).catch((err: unknown) => (failed = err));
      await Promise.race([acknowledged, settled, new Promise((r) => setTimeout(r, 30_000))]);
      if (failed) throw failed as Error;
      // Killed 0 to 300 ms after the round's first acknowledged write.
      await new Promise((r) => setTimeout(r, Math.floor(o.rnd() * 300)));
      stop = true;
      await killCloud(cloud, 'SIGKILL');
      await settled;
      if (failed) throw failed as Error;
    }
    // At the end, everything acknowledged over the whole soak, not just the last round.
    if (cloud && problems.length === 0) {
      await checkReservations(cloud.url, [...reservations], ends);
      await checkOpens(cloud.url, [...opens]);
    }
  } finally {
    if (cloud) await killCloud(cloud, 'SIGTERM');
    await column?.stop();
  }
  const sorted = [...startMs].sort((a, b) => a - b);
  return {
    kills: o.kills,
    acknowledged: { reservations: reservations.size, ends: ends.size, contacts: contacts.size, renames, serviceChanges, remoteOpens: opens.size },
    lost: problems.length,
    problems: problems.slice(0, 20),
    startMsP50: sorted[Math.floor(sorted.length / 2)] ?? NaN,
  };
}
