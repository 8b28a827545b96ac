// Profiling aid (not part of `make bench`): runs the remote-open bench with timestamps at each step of the path,
// in both processes, and prints per-segment percentiles. The marks come from `globalThis.__prof?.(label)` calls that
// a developer adds locally to the code under study; none are committed.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
const marks: Array<[string, number]> = [];
(globalThis as unknown as { __prof: (l: string) => void }).__prof = (l: string) => void marks.push([l, performance.timeOrigin + performance.now()]);
const childPrefix = `portier-prof-${process.pid}`;
process.env.PROF_OUT = join(tmpdir(), childPrefix);
const childFiles = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith(`${childPrefix}-`)).map((f) => join(tmpdir(), f));
process.env.BENCH_WORKER_IMPORT ??= new URL('./prof-hook.mjs', import.meta.url).pathname;
process.on('exit', () => {
  const files = childFiles();
  const all = [...marks, ...files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as Array<[string, number]>)].sort((a, b) => a[1] - b[1]);
  for (const f of files) rmSync(f, { force: true });
  const calls: Array<Map<string, number>> = [];
  let cur: Map<string, number> | undefined;
  for (const [l, t] of all) {
    if (l === 'C0') calls.push((cur = new Map()));
    if (cur && !cur.has(l)) cur.set(l, t);
  }
  const order = ['C0', 'C1', 'C2', 'F0', 'F1', 'F2', 'D3', 'D4', 'D5', 'F6', 'CA', 'C3', 'C4'];
  const segs = new Map<string, number[]>();
  const add = (k: string, v: number) => (segs.get(k) ?? segs.set(k, []).get(k)!).push(v);
  for (const c of calls.slice(60)) {
    const present = order.filter((l) => c.has(l));
    for (let i = 1; i < present.length; i++) add(`${present[i - 1]}->${present[i]}`, c.get(present[i]!)! - c.get(present[i - 1]!)!);
    if (c.has('C4')) add('total', c.get('C4')! - c.get('C0')!);
  }
  // The 20 slowest calls, segment by segment: shows whether the tail sits in one step or anywhere (stalls).
  const slowest = calls.slice(60).filter((c) => c.has('C4')).map((c) => ({ c, t: c.get('C4')! - c.get('C0')! })).sort((a, b) => b.t - a.t).slice(0, 20);
  for (const { c, t } of slowest) {
    const present = order.filter((l) => c.has(l));
    process.stderr.write(`slow ${t.toFixed(2)}: ${present.slice(1).map((l, i) => `${l}:${(c.get(l)! - c.get(present[i]!)!).toFixed(2)}`).join(' ')}\n`);
  }
  for (const [k, v] of segs) {
    v.sort((x, y) => x - y);
    const q = (p: number) => v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!.toFixed(2);
    process.stderr.write(`${k.padEnd(10)} n=${v.length} p50=${q(50)} p90=${q(90)} p99=${q(99)}\n`);
  }
});
await import('./run.ts');
