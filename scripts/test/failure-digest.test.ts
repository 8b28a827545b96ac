// The test runner's digest of a failed file: what CI's excerpt of a long log keeps of a failure, at the log's end.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
// @ts-expect-error: a plain JavaScript module of the runner, without types
import { failureDigest } from '../run-compiled-tests.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const digest = failureDigest as (out: string, maxLines?: number) => string;

/** The TAP a real tap test file prints when run alone, as the runner runs each file. */
function tapOutput(source: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TAP: '1', FORCE_COLOR: '0' } });
  return r.stdout + r.stderr;
}

t.test('a nested failure is named with its diagnostic, and the passing assertions are left out', async (t) => {
  const out = tapOutput(`
    import t from 'tap';
    t.test('on a three-node NATS cluster', async (t) => {
      t.test('outage flow', async (t) => {
        t.ok(true, 'the caller is told timed_out');
        t.equal(3, 4, 'no command re-sent after the restart');
      });
    });
  `);
  const d = digest(out);
  t.match(d, /not ok 2 - no command re-sent after the restart/, 'the failed assertion');
  t.match(d, /-4\n\s*\+3/, 'what it wanted and what it found');
  t.notMatch(d, /lineNumber|Test\.<anonymous>/, 'not where it is in the source');
  t.match(d, /not ok 1 - outage flow/, 'the subtest that holds it');
  t.notMatch(d, /the caller is told timed_out/, 'no passing assertion');
});

t.test('a file that ends without its totals is said so, with its last lines', async (t) => {
  const d = digest('TAP version 14\n# Subtest: a\n    ok 1 - one\nnode: out of memory\n');
  t.match(d, /without its totals/);
  t.match(d, /node: out of memory/);
});

t.test('a long digest is cut, and says how much was left out', async (t) => {
  const many = Array.from({ length: 30 }, (_, i) => `not ok ${i + 1} - failure ${i + 1}`).join('\n');
  const d = digest(many, 10);
  t.match(d, /failure 10\n… 20 more lines$/);
  t.notMatch(d, /failure 11\b/);
});
