import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findErrorClassViolations } from '../src/error-classes.ts';

// The repository itself, also when this file runs from the compiled mirror (scripts/build-tests.mjs).
const repoRoot = process.env['PORTIER_SOURCE_ROOT'] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const BASE = "export class PortierError<C extends string = string> extends Error {\n  readonly code: C;\n}\n";

/** The violations in a tree of these files, the one base in protocol/src/errors.ts unless `files` names that file. */
function violationsIn(t: Test, files: Record<string, string>): ReturnType<typeof findErrorClassViolations> {
  const root = mkdtempSync(join(tmpdir(), 'portier-errors-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const all = { 'package.json': JSON.stringify({ workspaces: ['protocol', 'firmware', 'cloud', 'sim'] }), 'protocol/src/errors.ts': BASE, ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return findErrorClassViolations(root);
}

t.test('every error class of the source tree extends the one base', async (t) => {
  const v = findErrorClassViolations(repoRoot);
  t.same(v, [], v.map((x) => `${x.file}:${x.line} ${x.name} extends ${x.base}`).join('\n'));
});

t.test('a class extending a built-in error is caught with its file, line and base', async (t) => {
  const found = violationsIn(t, {
    'firmware/src/doors/errors.ts': "import { PortierError } from '@portier/protocol';\n\nexport class DoorError extends Error {\n  readonly code = 'X';\n}\n",
    'cloud/src/a.ts': 'export const Bad = class extends globalThis.RangeError {};\nclass Worse extends (TypeError) {}\n',
    'sim/src/deep/b.ts': 'function f() {\n  return class Inner extends AggregateError {};\n}\n',
  });
  t.same(found, [
    { file: 'firmware/src/doors/errors.ts', line: 3, name: 'DoorError', base: 'Error' },
    { file: 'cloud/src/a.ts', line: 1, name: '(anonymous)', base: 'RangeError' },
    { file: 'cloud/src/a.ts', line: 2, name: 'Worse', base: 'TypeError' },
    { file: 'sim/src/deep/b.ts', line: 2, name: 'Inner', base: 'AggregateError' },
  ]);
});

t.test('the one base, its descendants, tests and text that only mentions a class pass', async (t) => {
  const found = violationsIn(t, {
    'protocol/src/topics.ts': "import { PortierError } from './errors.ts';\nexport class TopicError extends PortierError<'BAD_TOPIC'> {}\n",
    'cloud/src/errors.ts': "export class CloudError<C extends string> extends PortierError<C> {}\nexport class StoreError extends CloudError<'CLOSED'> {}\n",
    // A test may declare what it needs; only production code is held to the rule.
    'firmware/test/a.test.ts': 'class Boom extends Error {}\n',
    'sim/src/strings.ts': "const example = 'class X extends Error {}';\n// class Y extends Error {}\n",
  });
  t.same(found, []);
});

t.test('only protocol/src/errors.ts may declare the base', async (t) => {
  t.same(violationsIn(t, { 'firmware/src/errors.ts': BASE }), [{ file: 'firmware/src/errors.ts', line: 1, name: 'PortierError', base: 'Error' }]);
});
