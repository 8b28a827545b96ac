// The bench's handle on its load-generator processes (controllers.ts): each forked with IPC, given one broker node's
// MQTT URL and its share of the controllers, asked one request at a time (answers come in order).
import { fork } from 'node:child_process';
import { IpcChild } from '../lib/ipc-child.ts';
import type { ControllerSecret, FleetRequest, FleetTally } from './fleet-protocol.ts';

/** What each request is answered with. */
interface Answers {
  ready: true;
  connected: { ok: number; failed: number };
  publishing: true;
  replaying: true;
  report: FleetTally;
  tally: [id: string, pubacked: number, sent: number][];
}

class FleetProcess extends IpcChild<Answers, FleetRequest> {
  constructor(name: string) {
    super(
      fork(new URL('./controllers.ts', import.meta.url), [], {
        execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
      `load generator ${name}`,
      5000,
    );
  }
}

/** The sum of every process's tally (errors merged). */
function sum(tallies: FleetTally[]): FleetTally {
  const total: FleetTally = { controllers: 0, connected: 0, sent: 0, pubacked: 0, acked: 0, forged: 0, resends: 0, replays: 0, publishErrors: 0, disconnects: 0, errors: [], rssBytes: 0 };
  for (const t of tallies) {
    for (const k of ['controllers', 'connected', 'sent', 'pubacked', 'acked', 'forged', 'resends', 'replays', 'publishErrors', 'disconnects', 'rssBytes'] as const) total[k] += t[k];
    total.errors.push(...t.errors);
  }
  return total;
}

/**
 * Simulated controllers spread over the cluster's nodes: process i connects to `urls[i % urls.length]`. A process
 * holds at most a few tens of thousands of sockets (the open-file limit), hence several.
 */
export class Fleet {
  private readonly procs: FleetProcess[];
  /** Controllers given to the processes so far (the i-th went to process i % processes). */
  private given = 0;

  private constructor(procs: FleetProcess[]) {
    this.procs = procs;
  }

  static async start(urls: string[], processes: number, publicKeyPem: string): Promise<Fleet> {
    const procs = Array.from({ length: processes }, (_, i) => new FleetProcess(`lg${i + 1}`));
    const fleet = new Fleet(procs);
    try {
      await Promise.all(procs.map((p, i) => p.ask('ready', { init: { url: urls[i % urls.length]!, publicKeyPem } })));
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  get pids(): number[] {
    return this.procs.map((p) => p.child.pid!);
  }

  /** Connects `more` controllers (each process takes its share, `inFlight` connects at a time each). */
  async connect(more: ControllerSecret[], inFlight: number): Promise<{ ok: number; failed: number }> {
    const shares: ControllerSecret[][] = this.procs.map(() => []);
    for (const c of more) shares[this.given++ % this.procs.length]!.push(c);
    const answers = await Promise.all(this.procs.map((p, i) => p.ask('connected', { connect: { controllers: shares[i]!, inFlight } })));
    return { ok: answers.reduce((n, a) => n + a.ok, 0), failed: answers.reduce((n, a) => n + a.failed, 0) };
  }

  /** Every connected controller sends its next `events` events. */
  async publish(events: number): Promise<void> {
    await Promise.all(this.procs.map((p) => p.ask('publishing', { publish: { events } })));
  }

  /** Every controller with events not yet acked sends them again. */
  async replay(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.ask('replaying', { replay: true })));
  }

  async report(): Promise<FleetTally> {
    return sum(await Promise.all(this.procs.map((p) => p.ask('report', { report: true }))));
  }

  /** Each controller's PUBACKed and sent event counts. */
  async tally(): Promise<Map<string, { pubacked: number; sent: number }>> {
    const all = await Promise.all(this.procs.map((p) => p.ask('tally', { tally: true })));
    return new Map(all.flat().map(([id, pubacked, sent]) => [id, { pubacked, sent }]));
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
  }

  kill(): void {
    for (const p of this.procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
}
