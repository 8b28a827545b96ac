import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBoundaryViolations } from '../src/boundaries.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('the repository respects the dependency rules of DESIGN.md', async (t) => {
  const violations = findBoundaryViolations(repoRoot);
  t.same(violations, [], violations.map((v) => `${v.file}:${v.line} ${v.specifier} (${v.rule})`).join('\n'));
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'portier-bounds-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

t.test('a forbidden import is caught', async (t) => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['firmware/src/link.ts', "import { x } from '@portier/cloud/src/x.ts';", '@portier/cloud/src/x.ts', /firmware never imports cloud/],
    ['firmware/src/link.ts', "import { x } from '../../cloud/src/x.ts';", '../../cloud/src/x.ts', /firmware never imports cloud/],
    ['cloud/src/a.ts', "const m = await import('../../firmware/src/main.ts');", '../../firmware/src/main.ts', /cloud never imports firmware/],
    ['cloud/src/a.ts', "export * from '@portier/firmware/hal';", '@portier/firmware/hal', /cloud never imports firmware/],
    ['protocol/src/a.ts', "import type { X } from '@portier/firmware/hal';", '@portier/firmware/hal', /protocol imports nothing/],
    ['protocol/src/a.ts', "import '../../sim/src/door.ts';", '../../sim/src/door.ts', /protocol imports nothing/],
    ['firmware/src/b.ts', "import Aedes from 'aedes';", 'aedes', /server library/],
    ['firmware/src/b.ts', "import { VirtualDoor } from '@portier/sim/door.ts';", '@portier/sim/door.ts', /never imports the simulator/],
  ];
  for (const [file, text, specifier, rule] of cases) {
    const root = tree({ [file]: `${text}\n` });
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const v = findBoundaryViolations(root);
    t.equal(v.length, 1, `${file}: ${text}`);
    t.equal(v[0]?.specifier, specifier);
    t.match(v[0]?.rule ?? '', rule);
  }
});

t.test('allowed imports pass', async (t) => {
  const root = tree({
    'firmware/src/a.ts': "import { z } from 'zod';\nimport { topicFor } from '@portier/protocol';\nimport { b } from './b.ts';\n",
    'firmware/test/a.test.ts': "import { VirtualDoor } from '@portier/sim/door.ts';\n",
    'sim/src/a.ts': "import type { LockBus } from '@portier/firmware/hal';\n",
    'cloud/src/a.ts': "import Aedes from 'aedes';\nimport { topicFor } from '@portier/protocol';\n",
    'protocol/src/a.ts': "import { sign } from 'node:crypto';\nimport { x } from './x.ts';\n",
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  t.same(findBoundaryViolations(root), []);
});

t.test('a cloud dependency in the firmware package is caught', async (t) => {
  const root = tree({ 'firmware/package.json': JSON.stringify({ dependencies: { fastify: '5', zod: '4' } }) });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const v = findBoundaryViolations(root);
  t.equal(v.length, 1);
  t.equal(v[0]?.specifier, 'fastify');
});
