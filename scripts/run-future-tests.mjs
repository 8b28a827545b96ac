#!/usr/bin/env node
// Runs the whole test suite twice under Debian's `faketime` with a running clock, to catch tests whose outcome
// depends on the date or the time of day:
//   1. TZ=Europe/Paris, starting at 23:59:00 on the eve of the first daylight-saving change more than a year ahead
//      (the run crosses midnight into a 23- or 25-hour day);
//   2. TZ=UTC, 20 years ahead.
// The clock is moved by a relative offset (`faketime -f +Ns`), never to an absolute start: libfaketime restarts an
// absolute clock in every child process, and each test file runs in one. The clock keeps running (a frozen
// clock would hang every bounded wait) and the monotonic clock is left alone, so timers behave as usual.
// Extra arguments name test files to run (default: all), from the compiled mirror (build-tests.mjs). Ends with
// `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { buildForTests } from './build-tests.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = join(dirname(fileURLToPath(import.meta.url)), 'run-tests.mjs');
const DAY = 86_400_000;

/** Offset of `zone` from UTC at `ms`, in minutes. */
function zoneOffsetMinutes(zone, ms) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The UTC instant of 23:59:00 in `zone` on the eve of the first offset change at least `afterMs` ahead. */
export function eveOfDstChange(zone, afterMs) {
  for (let day = Math.floor(afterMs / DAY) * DAY; day < afterMs + 2 * 366 * DAY; day += DAY) {
    // Noon UTC of two consecutive days sits inside each local day for every European zone.
    const before = zoneOffsetMinutes(zone, day + DAY / 2);
    const after = zoneOffsetMinutes(zone, day + DAY + DAY / 2);
    if (before !== after) {
      const eve = new Date(day + DAY / 2);
      const localMidnight = Date.UTC(eve.getUTCFullYear(), eve.getUTCMonth(), eve.getUTCDate(), 23, 59, 0);
      return localMidnight - before * 60_000;
    }
  }
  throw new Error(`no daylight-saving change in ${zone} within two years`);
}

function twentyYearsAhead(now) {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + 20);
  return d.getTime();
}

/** `target` gives the instant the run's clock starts at, asked when the run starts (the first run takes minutes). */
function run(label, zone, target, args) {
  const targetMs = target();
  const offsetS = Math.round((targetMs - Date.now()) / 1000);
  process.stdout.write(`\n== ${label}: TZ=${zone}, clock starts at ${new Date(targetMs).toISOString()} (faketime -f +${offsetS}s)\n`);
  return new Promise((resolve) => {
    const child = spawn('faketime', ['-f', `+${offsetS}s`, process.execPath, runner, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TZ: zone, FAKETIME_DONT_FAKE_MONOTONIC: '1' },
    });
    let last = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (last + chunk.toString('utf8')).split('\n');
      last = lines.slice(-3).join('\n');
    });
    child.on('close', (code) => {
      const m = /(\d+) passed, (\d+) failed/.exec(last);
      resolve({ label, code, pass: m ? Number(m[1]) : 0, fail: m ? Number(m[2]) : 1 });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (spawnSync('faketime', ['-f', '+0s', 'true']).status !== 0) {
    process.stdout.write('faketime is not installed (Debian package `faketime`)\n0 passed, 1 failed\n');
    process.exit(1);
  }
  // The compiled mirror is built once, on the real clock; both runs use it.
  if (!(await buildForTests())) {
    process.stdout.write('type check failed\n0 passed, 1 failed\n');
    process.exit(1);
  }
  const args = ['--compiled', ...process.argv.slice(2)];
  const results = [
    await run('daylight-saving night', 'Europe/Paris', () => eveOfDstChange('Europe/Paris', Date.now() + 366 * DAY), args),
    await run('twenty years ahead', 'UTC', () => twentyYearsAhead(Date.now()), args),
  ];
  for (const r of results) process.stdout.write(`${r.label}: ${r.pass} passed, ${r.fail} failed\n`);
  const pass = results.reduce((n, r) => n + r.pass, 0);
  const fail = results.reduce((n, r) => n + r.fail, 0);
  process.stdout.write(`\n${pass} passed, ${fail} failed\n`);
  process.exit(results.every((r) => r.code === 0 && r.fail === 0) ? 0 : 1);
}
