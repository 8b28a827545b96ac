// Runs test files of the compiled mirror (`.build/`, see build-tests.mjs) on plain Node, several at a time, and ends
// with the plain line CI reads: `N passed, N failed`.
//
// Each file is a tap test run as its own process (a tap test file prints TAP and its totals when run directly); this
// runner does what tap's runner did for us and nothing more: a timeout per file, a line per file, the whole output of
// a file that failed, and the totals. It leaves out tap's per-process loader hooks and source-map support, which cost
// each process more CPU than most tests do. Files start longest first (by the times of the previous run), so the
// slow ones do not start last.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { BUILD, ROOT, WORKSPACES } from './build-tests.mjs';

const TIMEOUT_S = 120;
/** A batch holds at most this many files, and files of at most this much time in all (by the previous run's times). */
const BATCH_FILES = 6;
const BATCH_MS = 20_000;
/** A file that took longer than this alone runs alone: its own work outweighs loading the code. */
const BATCH_FILE_MS = 8_000;
/**
 * What keeps a file out of a batch: anything at the top level that would act on other files' tests or on the process
 * (tap's root hooks or plan, a top-level await whose setup would outlive the file's tests, faked timers, a changed
 * environment or process handler).
 */
const SOLO = [
  /^(?:t|tap)\.(?:before|beforeEach|after|afterEach|teardown|plan|setTimeout|jobs)\b/m,
  /^(?:await\b|(?:const|let|var)\s[^=;]+=\s*await\b)/m,
  /^(?:const|let|var)?[^\n]*useFakeTimers/m,
  /process\.env(?:\.\w+|\[[^\]]+\])\s*=[^=]/,
  /^process\.on\(/m,
];
/** The end-to-end harness holds the broker of a run (embedded or Mosquitto) and each data folder's Mosquitto as process state. */
const SOLO_DIRS = ['scripts/test/e2e/'];
const HANG_S = 900;
const TIMES = join(ROOT, 'node_modules', '.cache', 'portier-test-times.json');

/** Source test files (`<workspace>/test/**\/*.test.ts`), as paths relative to the repository. */
export function allTestFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'fixtures') walk(p);
      else if (e.isFile() && e.name.endsWith('.test.ts')) out.push(relative(ROOT, p));
    }
  };
  for (const ws of WORKSPACES) if (existsSync(join(ROOT, ws, 'test'))) walk(join(ROOT, ws, 'test'));
  return out.sort();
}

/**
 * The files in runs: light files that may share a process go in batches of their directory, the others alone. Each
 * test file loads the code it tests, and for a light file that is most of its cost: a batch loads it once. The files
 * of a batch run one after another in one process, each file's tests registered on tap's root as when it runs alone.
 */
export function planRuns(files, times) {
  const batchable = (f) =>
    (times[f] ?? 5000) <= BATCH_FILE_MS && !SOLO_DIRS.some((d) => f.startsWith(d)) && !SOLO.some((re) => re.test(readFileSync(join(ROOT, f), 'utf8')));
  const runs = [];
  const open = new Map();
  for (const f of [...files].sort()) {
    if (!batchable(f)) {
      runs.push([f]);
      continue;
    }
    const dir = f.slice(0, f.lastIndexOf('/'));
    let batch = open.get(dir);
    const ms = (xs) => xs.reduce((sum, x) => sum + (times[x] ?? 5000), 0);
    if (!batch || batch.length >= BATCH_FILES || ms(batch) + (times[f] ?? 5000) > BATCH_MS) {
      batch = [];
      open.set(dir, batch);
      runs.push(batch);
    }
    batch.push(f);
  }
  return runs;
}

/** Runs `files` (source paths) from the mirror; resolves with the exit code. */
export async function runCompiled(files, jobs = Number(process.env.PORTIER_TEST_JOBS) || Math.max(2, availableParallelism() * 2)) {
  const times = readTimes();
  const runTime = (run) => run.reduce((sum, f) => sum + (times[f] ?? 5000), 0);
  const queue = planRuns(files, times).sort((a, b) => runTime(b) - runTime(a));
  const results = [];
  /** What each failed file's output says of its failures, printed again at the end where a log's tail keeps it. */
  const digests = [];
  const running = new Set();
  /** Lanes waiting for a run to end. */
  const ended = [];
  let n = 0;
  process.stdout.write(`TAP version 14\n1..${files.length}\n`);
  const stopAll = () => {
    for (const c of running) killGroup(c);
    process.exit(130);
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);

  const runOne = (run) =>
    new Promise((resolve) => {
      const started = Date.now();
      const js = run.map((file) => join(BUILD, file.replace(/\.ts$/, '.js')));
      const file = run.length === 1 ? run[0] : `${run[0].slice(0, run[0].lastIndexOf('/'))}/{${run.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(',')}}`;
      // Without V8's optimizing compiler: a test process lives seconds, and optimizing the code it loads costs more
      // CPU (on V8's background threads, beside the other tests) than the optimized code saves: about a sixth of the
      // suite's CPU. What the code does is the same; the programs the tests start run as they always do.
      const args = run.length === 1 ? js : [join(ROOT, 'scripts', 'test-batch.mjs'), ...js];
      const child = spawn(process.execPath, ['--no-opt', ...args], {
        cwd: BUILD,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TAP: '1', TAP_TIMEOUT: String(TIMEOUT_S), FORCE_COLOR: '0', PORTIER_SOURCE_ROOT: ROOT },
      });
      running.add(child);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      // tap ends a file at its timeout itself (TAP_TIMEOUT, or the file's own t.setTimeout); this only catches a
      // process that hangs past any of them (a stuck teardown).
      const hard = setTimeout(() => {
        out += `\n# killed: still running ${HANG_S} s after it started\n`;
        killGroup(child);
      }, HANG_S * 1000);
      child.on('close', (code, signal) => {
        clearTimeout(hard);
        running.delete(child);
        const ms = Date.now() - started;
        const r = summarise(file, out, code, signal, ms);
        results.push(r);
        // A batch's time shared among its files as their times were.
        const before = runTime(run);
        for (const f of run) times[f] = Math.round((ms * (times[f] ?? 5000)) / before);
        const id = ++n;
        const skip = r.skipReason ? ` # SKIP ${r.skipReason}` : '';
        process.stdout.write(`${r.ok ? 'ok' : 'not ok'} ${id} - ${file}${skip} # time=${ms}ms\n`);
        if (!r.ok) {
          process.stdout.write(indent(out));
          digests.push(`${file}:\n${indent(failureDigest(out))}`);
        }
        resolve();
      });
    });

  // A browser test keeps a core busy by itself (Chromium draws every page): at most one per core runs at a time, and
  // the other lanes take the next runs that are not, most of which wait on servers and timers more than they compute.
  const browsers = Math.max(1, Math.floor(jobs / 2));
  let browsing = 0;
  const next = () => {
    const i = browsing < browsers ? 0 : queue.findIndex((run) => !usesBrowser(run));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  const lanes = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let run = next(); run !== undefined || queue.length > 0; run = next()) {
      if (run === undefined) {
        // Only browser runs are left and a core is busy with one: wait for any run to end.
        await new Promise((resolve) => ended.push(resolve));
        continue;
      }
      const b = usesBrowser(run);
      if (b) browsing++;
      await runOne(run);
      if (b) browsing--;
      for (const wake of ended.splice(0)) wake();
    }
  });
  await Promise.all(lanes);
  writeTimes(times);

  const pass = results.reduce((s, r) => s + r.pass, 0);
  const fail = results.reduce((s, r) => s + r.fail, 0);
  const skipped = results.reduce((s, r) => s + r.skip, 0);
  const failedFiles = results.filter((r) => !r.ok).map((r) => r.file);
  const skippedFiles = results.filter((r) => r.skipReason).map((r) => `${r.file} # SKIP ${r.skipReason}`);
  if (skippedFiles.length) process.stdout.write(`\nskipped: ${skippedFiles.join('\n         ')}\n`);
  if (digests.length) process.stdout.write(`\nfailures:\n${digests.join('')}`);
  if (failedFiles.length) process.stdout.write(`\nfailed files: ${failedFiles.join(', ')}\n`);
  const failed = Math.max(fail, failedFiles.length);
  process.stdout.write(`\n${pass} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  return failed === 0 ? 0 : 1;
}

/** Whether a run drives a real Chromium (a file that launches one, runs the console's journeys, or opens the kiosk screen's world). */
function usesBrowser(run) {
  return run.some((f) => {
    if (!browserFiles.has(f)) browserFiles.set(f, /runJourneys\(|launchChromium\(|chromium\.launch\(|[sS]creenWorld\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    return browserFiles.get(f);
  });
}
const browserFiles = new Map();

/** A file's counts from tap's closing `# { total: …, pass: … }` line; no such line or a bad exit is a failure. */
function summarise(file, out, code, signal, ms) {
  const m = /^# (\{ total: .*\})\s*$/m.exec(out.split('\n').filter((l) => l.startsWith('# { total:')).at(-1) ?? '');
  const num = (k) => Number(new RegExp(`${k}: (\\d+)`).exec(m?.[1] ?? '')?.[1] ?? 0);
  const plan0 = /^1\.\.0 # (?:SKIP|skip)?\s*(.*)$/m.exec(out);
  const skipReason = plan0 ? plan0[1] || 'skipped' : undefined;
  const pass = num('pass');
  const fail = num('fail');
  const skip = num('skip') + num('todo');
  const ok = code === 0 && signal === null && fail === 0 && (m !== null || plan0 !== null);
  return { file, ok, pass, fail: ok ? 0 : Math.max(fail, 1), skip, skipReason, ms };
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The failures of a file's output, short: each `not ok` line at any depth with the first lines of its diagnostic, and
 * the runner's own verdicts (a file killed, no totals). A failed file's whole output is printed where it ends, which a
 * long log's excerpt may leave out.
 */
export function failureDigest(out, maxLines = 80, diagLines = 16) {
  const lines = out.split('\n');
  const kept = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*not ok\b/.test(line)) {
      kept.push(line.trimEnd());
      // The YAML block tap writes under a failure: `  ---` … `  ...`.
      if (/^\s*---\s*$/.test(lines[i + 1] ?? '')) {
        // Where the assertion is in the source (`at`, `stack`) is left out: the name says which it is.
        const keyIndent = /^\s*/.exec(lines[i + 1])[0].length;
        let skipping = false;
        let n = 0;
        let j = i + 2;
        for (; j < lines.length && !/^\s*\.\.\.\s*$/.test(lines[j]); j++) {
          const depth = /^\s*/.exec(lines[j])[0].length;
          if (depth === keyIndent) skipping = /^\s*(?:at|stack):/.test(lines[j]);
          if (!skipping && n++ < diagLines) kept.push(lines[j].trimEnd());
        }
        i = j;
      }
    } else if (/^\s*# (?:killed|Bail out)|^\s*Bail out!|^\s*(?:Error|TypeError|RangeError)\b/.test(line)) kept.push(line.trimEnd());
  }
  if (kept.length === 0) kept.push('no failed assertion in its output: it ended without its totals or with a non-zero exit; its last lines:', ...lines.slice(-10));
  return (kept.length > maxLines ? [...kept.slice(0, maxLines), `… ${kept.length - maxLines} more lines`] : kept).join('\n');
}

const indent = (s) => `${s.split('\n').map((l) => `    ${l}`).join('\n')}\n`;

/**
 * The times of the previous run on this machine, over those of a run of the whole suite kept in the repository
 * (scripts/test-times.json): a fresh clone orders and batches the files as a measured run did.
 */
function readTimes() {
  const read = (path) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return {};
    }
  };
  return { ...read(join(ROOT, 'scripts', 'test-times.json')), ...read(TIMES) };
}

function writeTimes(times) {
  try {
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    writeFileSync(TIMES, JSON.stringify(times));
  } catch {
    // only an ordering hint
  }
}
