import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBoundaryViolations } from '../src/boundaries.ts';

// The repository itself, also when this file runs from the compiled mirror (scripts/build-tests.mjs).
const repoRoot = process.env['PORTIER_SOURCE_ROOT'] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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
    // The simulator implements hardware: the firmware's HAL and protocol, nothing above them.
    ['sim/src/panel.ts', "import { KioskEngine } from '@portier/firmware';", '@portier/firmware', /simulator imports only the firmware's HAL/],
    ['sim/src/cu16.ts', "import { Cu16Parser } from '@portier/firmware/hal/kerong-cu16/parser.ts';", '@portier/firmware/hal/kerong-cu16/parser.ts', /simulator imports only the firmware's HAL/],
    ['sim/src/bank.ts', "import { startController } from '../../firmware/src/runtime/controller-runtime.ts';", '../../firmware/src/runtime/controller-runtime.ts', /simulator imports only the firmware's HAL/],
    ['sim/test/bank.test.ts', "import type { KioskEngine } from '../../firmware/src/kiosk/engine.ts';", '../../firmware/src/kiosk/engine.ts', /simulator imports only the firmware's HAL/],
    ['sim/src/main.ts', "import { runSimBank } from '@portier/rig';", '@portier/rig', /simulator imports only the firmware's HAL/],
    ['sim/src/x.ts', "import { startCloud } from '@portier/cloud';", '@portier/cloud', /simulator imports only the firmware's HAL/],
    // Protocol is pure.
    ['protocol/src/a.ts', "import { readFileSync } from 'node:fs';", 'node:fs', /no node I\/O module/],
    ['protocol/src/a.ts', "import { readFile } from 'fs/promises';", 'fs/promises', /no node I\/O module/],
    ['protocol/src/a.ts', "import { connect } from 'node:net';", 'node:net', /no node I\/O module/],
    // Another workspace only through its face.
    ['scripts/demo/a.ts', "import { startCloud } from '@portier/cloud/runtime/cloud-runtime.ts';", '@portier/cloud/runtime/cloud-runtime.ts', /through its face: @portier\/cloud/],
    ['scripts/demo/a.ts', "import { VirtualDoor } from '../../sim/src/door.ts';", '../../sim/src/door.ts', /through its face \(@portier\/sim\)/],
    ['firmware/test/a.test.ts', "import { VirtualDoor } from '@portier/sim/door.ts';", '@portier/sim/door.ts', /through its face: @portier\/sim/],
    ['rig/src/a.ts', "import { KioskEngine } from '@portier/firmware/kiosk/engine.ts';", '@portier/firmware/kiosk/engine.ts', /@portier\/firmware or @portier\/firmware\/hal/],
    // Who may use the rig.
    ['rig/src/a.ts', "import { startCloud } from '@portier/cloud';", '@portier/cloud', /rig never imports cloud/],
    ['cloud/test/a.test.ts', "import { runSimBank } from '@portier/rig';", '@portier/rig', /cloud never imports rig/],
    ['firmware/test/a.test.ts', "import { runSimBank } from '@portier/rig';", '@portier/rig', /only scripts import the rig/],
    // The durable writes: node's own modules and protocol only, for the two deployables (and scripts) only.
    ['durable/src/a.ts', "import { startCloud } from '@portier/cloud';", '@portier/cloud', /durable writes import only @portier\/protocol and node:\* modules/],
    ['durable/src/a.ts', "import pino from 'pino';", 'pino', /durable writes import only/],
    ['durable/src/a.ts', "import { readFile } from 'fs/promises';", 'fs/promises', /durable writes import only/],
    ['durable/src/a.ts', "import { PortierError } from '../../protocol/src/errors.ts';", '../../protocol/src/errors.ts', /durable writes import only/],
    ['rig/src/a.ts', "import { writeFileDurable } from '@portier/durable';", '@portier/durable', /only the cloud, the firmware and scripts import the durable writes/],
    ['sim/src/a.ts', "import { AppendFile } from '@portier/durable';", '@portier/durable', /simulator imports only the firmware's HAL/],
    ['protocol/src/a.ts', "import { AppendFile } from '@portier/durable';", '@portier/durable', /protocol imports nothing/],
    ['cloud/src/a.ts', "import { AppendFile } from '@portier/durable/src/durable-write.ts';", '@portier/durable/src/durable-write.ts', /through its face: @portier\/durable/],
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
    'firmware/test/a.test.ts': "import { VirtualDoor } from '@portier/sim';\nimport { sample } from '../../protocol/test/fixtures/samples.ts';\n",
    'sim/src/a.ts': "import type { LockBus } from '@portier/firmware/hal';\nimport { topicFor } from '@portier/protocol';\nimport { b } from './b.ts';\n",
    'sim/test/a.test.ts': "import { KerongCu16Bus } from '@portier/firmware/hal';\nimport { VirtualDoor } from '../src/door.ts';\n",
    'rig/src/a.ts': "import { startController } from '@portier/firmware';\nimport { VirtualDoor } from '@portier/sim';\nimport type { LockBus } from '@portier/firmware/hal';\n",
    'rig/test/a.test.ts': "import { createKiosk } from '../../firmware/test/kiosk/helpers.ts';\n",
    'scripts/demo/a.ts': "import { startCloud } from '@portier/cloud';\nimport { runSimBank } from '@portier/rig';\nimport { readFileSync } from 'node:fs';\n",
    'protocol/scripts/docs.ts': "import { writeFileSync } from 'node:fs';\n",
    // An import written in a string or a comment is not an import.
    'sim/src/strings.ts': "const example = \"import { KioskEngine } from '@portier/firmware';\";\n// import { startCloud } from '@portier/cloud';\n",
    'cloud/src/a.ts': "import Aedes from 'aedes';\nimport { topicFor } from '@portier/protocol';\n",
    'protocol/src/a.ts': "import { sign } from 'node:crypto';\nimport { crc32 } from 'node:zlib';\nimport { x } from './x.ts';\n",
    'durable/src/a.ts': "import { open } from 'node:fs/promises';\nimport { PortierError } from '@portier/protocol';\nimport { b } from './b.ts';\n",
    'durable/test/a.test.ts': "import t from 'tap';\nimport { spyFileHandles } from '../../scripts/test/contracts/fs-spy.ts';\n",
    'cloud/src/b.ts': "import { AppendFile, ensureDir } from '@portier/durable';\n",
    'firmware/src/c.ts': "import { writeFileDurable } from '@portier/durable';\n",
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  t.same(findBoundaryViolations(root), []);
});

t.test('a cloud dependency in the firmware package is caught', async (t) => {
  const root = tree({
    'firmware/package.json': JSON.stringify({ exports: { '.': './src/index.ts', './hal': './src/hal/index.ts' }, dependencies: { fastify: '5', zod: '4' } }),
    'firmware/src/index.ts': '',
    'firmware/src/hal/index.ts': '',
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const v = findBoundaryViolations(root);
  t.equal(v.length, 1);
  t.equal(v[0]?.specifier, 'fastify');
});

t.test('a violation names the file, the line of the import and what it imports', async (t) => {
  const root = tree({ 'sim/src/panel/a.ts': "import { b } from './b.ts';\nimport {\n  KioskEngine,\n} from '@portier/firmware';\n" });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  t.same(findBoundaryViolations(root), [
    { file: 'sim/src/panel/a.ts', line: 4, specifier: '@portier/firmware', rule: "the simulator imports only the firmware's HAL (@portier/firmware/hal) and protocol" },
  ]);
});

t.test('package exports name the index only (and the firmware HAL entry), pointing at files that exist', async (t) => {
  const pkg = (exports: unknown): string => JSON.stringify({ name: 'x', exports });
  const root = tree({
    'sim/package.json': pkg({ '.': './src/index.ts', './*': './src/*' }),
    'sim/src/index.ts': '',
    'cloud/package.json': pkg({ '.': './src/index.ts' }),
    'firmware/package.json': pkg({ '.': './src/index.ts', './hal': './src/hal/index.ts' }),
    'firmware/src/index.ts': '',
    'firmware/src/hal/index.ts': '',
    'protocol/package.json': pkg({ '.': './src/index.ts', './docs/*': './docs/*' }),
    'protocol/src/index.ts': '',
    'rig/package.json': pkg('./src/index.ts'),
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const v = findBoundaryViolations(root).map((x) => `${x.file} ${x.specifier}: ${x.rule}`);
  t.same(v.sort(), [
    'cloud/package.json .: ./src/index.ts: an export points at a file that exists',
    'protocol/package.json ./docs/*: "./docs/*": exports name ./src/index.ts only',
    'rig/package.json exports: exports name ./src/index.ts only',
    'sim/package.json ./*: "./src/*": exports name ./src/index.ts only',
  ]);
});
