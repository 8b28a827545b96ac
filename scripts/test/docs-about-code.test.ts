// Comments and docs say what the code does and why. A line that names an issue number, a role on the team, a plan or
// a to-do marker fails here with its file and line, so such lines cannot come back. The samples below are built from
// pieces, so this file does not hold the phrases it forbids.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// The repository itself, also when this file runs from the compiled mirror (scripts/build-tests.mjs).
const ROOT = process.env['PORTIER_SOURCE_ROOT'] ?? fileURLToPath(new URL('../..', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', 'var', 'fixtures', '.tap', 'coverage', '.build']);
const EXTENSIONS = /\.(ts|mjs|md|yaml|yml)$|^Makefile$/;

/** What a line about the code must not say: each with the reason shown in a failure. */
export const FORBIDDEN: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /\b(?:issue|task|ticket)\s*#?\d+/i, why: 'names an issue number' },
  { pattern: /(?:^|[\s(])#\d{1,4}\b(?![0-9a-f])/, why: 'names an issue number' },
  { pattern: /\b(?:next|later|previous|coming|future)\s+(?:issue|task|ticket|stage|milestone|sprint)\b/i, why: 'names a plan' },
  { pattern: /\b(?:comes?|arrives?|lands?|will be (?:added|built|done))\s+later\b/i, why: 'names a plan' },
  { pattern: new RegExp(`\\b(?:${'TO'}DO|${'FIX'}ME)\\b`), why: 'leaves a to-do marker: say what the code does or does not do' },
  { pattern: /\bEngineer\s+[A-Z][A-Z0-9]+\b/, why: "names a person's role on the team" },
  { pattern: /\b(?:founding|lead|senior|staff|junior)\s+engineer\b|\btech(?:nical)?\s+lead\b|\bproduct\s+(?:owner|manager)\b|\bscrum\s*master\b/i, why: "names a person's role on the team" },
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (EXTENSIONS.test(name)) yield p;
  }
}

/** Every offending line of `text`, as `file:line: why: line`. */
export function offences(file: string, text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const f of FORBIDDEN) if (f.pattern.test(line)) out.push(`${file}:${i + 1}: ${f.why}: ${line.trim().slice(0, 120)}`);
  });
  return out;
}

t.test('the rule catches what it is for, and lets ordinary prose pass', async (t) => {
  const issue = ['iss', 'ue'].join('');
  t.equal(offences('x.ts', `// see ${issue} 12 for why`).length, 1);
  t.equal(offences('x.ts', `// fixed in ${'#'}42`).length, 1);
  t.equal(offences('x.ts', `// the next ${issue} adds this`).length, 1);
  t.equal(offences('x.ts', `// the kiosk ${'comes'} later`).length, 1);
  t.equal(offences('x.ts', `// ${'TO'}DO(domain): notifications`).length, 1);
  t.equal(offences('x.md', `as the ${'tech'} lead asked`).length, 1);
  t.equal(offences('x.ts', `// the cache of ${'Engineer'} LINK's module`).length, 1);
  t.same(offences('x.ts', "const colour = '#1a73e8'; // door 12 opens; 0x30 status; colour #fff"), []);
  t.same(offences('x.ts', '// answered later by the next poll'), []);
});

t.test('no source or doc line names an issue, a role on the team, a plan or a to-do marker', async (t) => {
  const self = relative(ROOT, fileURLToPath(import.meta.url));
  const found: string[] = [];
  for (const f of files(ROOT)) {
    const rel = relative(ROOT, f);
    if (rel === self) continue;
    found.push(...offences(rel, readFileSync(f, 'utf8')));
  }
  t.same(found, [], found.length ? `${found.length} lines:\n${found.join('\n')}` : 'none');
});
