// The dependency rules of DESIGN.md, checked over the source tree by reading the imports of every source file (with
// TypeScript's own pre-processor, so an import written inside a string or a comment is not taken for one):
//   protocol imports nothing of ours and no node I/O module; the durable writes (durable/) import only protocol and
//   node's own modules, and only the cloud, the firmware and scripts import them; firmware and cloud never import each
//   other; the simulator imports only the firmware's HAL (and protocol); the rig (simulator under the real firmware)
//   never imports the cloud, and only scripts import the rig; the firmware's production code imports neither the
//   simulator nor the cloud's server libraries; another workspace is imported through its public face only
//   (`@portier/x`, or `@portier/firmware/hal`), never by a deep path or a relative path into its folder; and each
//   workspace's package exports name its src/index.ts only (and the firmware's HAL entry).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface BoundaryViolation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

const PARTS = ['protocol', 'durable', 'firmware', 'cloud', 'sim', 'rig', 'scripts'] as const;
type Part = (typeof PARTS)[number];

/** What each workspace's package.json may export: its index, and for the firmware its HAL entry. */
const FACES: Partial<Record<Part, Record<string, string>>> = {
  protocol: { '.': './src/index.ts' },
  durable: { '.': './src/index.ts' },
  firmware: { '.': './src/index.ts', './hal': './src/hal/index.ts' },
  cloud: { '.': './src/index.ts' },
  sim: { '.': './src/index.ts' },
  rig: { '.': './src/index.ts' },
};

/** Server-side libraries that must never reach a controller board. */
const CLOUD_ONLY_PACKAGES = ['aedes', 'fastify', '@fastify/', 'fastify-type-provider-zod', 'csv-stringify', 'csv-parse'];

/** Node modules that reach outside the process (files, network, processes, the terminal, the host). */
const NODE_IO_MODULES = ['fs', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'tty', 'child_process', 'cluster', 'worker_threads', 'readline', 'os', 'inspector', 'repl'];

/** Appends every source file under `dir` (not node_modules, not dot folders) to `out`. */
export function walk(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name)) out.push(path);
  }
}

function isPart(name: string | undefined): name is Part {
  return (PARTS as readonly string[]).includes(name as string);
}

/** Where a specifier points, if into one of our workspaces: the workspace, and the path inside it. */
interface Target {
  part: Part;
  /** `package`: `@portier/x` or `@portier/x/sub`; `relative`: a path into the workspace's folder. */
  via: 'package' | 'relative';
  /** The subpath after the package name (`hal`, `door.ts`), or the folder path inside the workspace. */
  sub: string;
}

function targetOf(root: string, fromFile: string, specifier: string): Target | undefined {
  const pkg = /^@portier\/([a-z]+)(?:\/(.*))?$/.exec(specifier);
  if (pkg) return isPart(pkg[1]) ? { part: pkg[1], via: 'package', sub: pkg[2] ?? '' } : undefined;
  if (!specifier.startsWith('.')) return undefined;
  const [first, ...rest] = relative(root, resolve(dirname(fromFile), specifier)).split(sep);
  return isPart(first) ? { part: first, via: 'relative', sub: rest.join('/') } : undefined;
}

function isNodeIo(specifier: string): boolean {
  const name = specifier.replace(/^node:/, '').split('/')[0] as string;
  return NODE_IO_MODULES.includes(name) && (specifier.startsWith('node:') || !specifier.startsWith('.'));
}

function isCloudOnly(specifier: string): boolean {
  return CLOUD_ONLY_PACKAGES.some((p) => specifier === p || specifier.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/** The rule an import breaks, if any. */
function ruleFor(part: Part, folder: string, target: Target | undefined, specifier: string): string | undefined {
  const isTest = folder === 'test';
  if (part === 'protocol') {
    if (target && target.part !== 'protocol') return 'protocol imports nothing of ours';
    if (folder === 'src' && isNodeIo(specifier)) return `protocol is pure: no node I/O module (${specifier})`;
  }
  if (part === 'durable' && folder === 'src' && target?.part !== 'durable') {
    const allowed = specifier.startsWith('node:') || (target?.part === 'protocol' && target.via === 'package' && target.sub === '');
    if (!allowed) return `the durable writes import only @portier/protocol and node:* modules (${specifier})`;
  }
  if (part === 'firmware' && !isTest && isCloudOnly(specifier)) return `firmware must not depend on the cloud's server library ${specifier}`;
  if (!target || target.part === part) return undefined;
  const to = target.part;
  if (part === 'firmware' && to === 'cloud') return 'firmware never imports cloud';
  if (part === 'cloud' && to === 'firmware') return 'cloud never imports firmware';
  if (part === 'cloud' && (to === 'sim' || to === 'rig')) return `cloud never imports ${to}`;
  if (part === 'sim' && !(to === 'protocol' || (to === 'firmware' && target.via === 'package' && target.sub === 'hal'))) {
    return "the simulator imports only the firmware's HAL (@portier/firmware/hal) and protocol";
  }
  if (part === 'firmware' && to === 'sim' && !isTest) return 'firmware production code never imports the simulator';
  if (to === 'durable' && part !== 'cloud' && part !== 'firmware' && part !== 'scripts') {
    return 'only the cloud, the firmware and scripts import the durable writes (@portier/durable)';
  }
  if (part === 'rig' && to === 'cloud') return 'the rig never imports cloud';
  if (to === 'rig' && part !== 'scripts') return 'only scripts import the rig';
  // A contract suite or test helper shared by the workspaces' tests (scripts/test/contracts: the file-handle spy).
  if (to === 'scripts' && isTest && /(^|\/)scripts\/test\/contracts\//.test(specifier)) return undefined;
  if (to === 'scripts') return 'nothing imports scripts (a test may import the shared contract suites of scripts/test/contracts)';
  if (target.via === 'package' && target.sub !== '' && !(to === 'firmware' && target.sub === 'hal')) {
    return `another workspace is imported through its face: @portier/${to}${to === 'firmware' ? ' or @portier/firmware/hal' : ''}`;
  }
  // A test may share another workspace's test fixtures; anything else goes through the package.
  if (target.via === 'relative' && !(isTest && target.sub.startsWith('test/'))) {
    return `another workspace is imported through its face (@portier/${to}), not by a path into its folder`;
  }
  return undefined;
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Each import of a source text: its specifier and 1-based line. */
export function importsOf(text: string): Array<{ specifier: string; line: number }> {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => ({ specifier: f.fileName, line: lineOf(text, f.pos) }));
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A workspace's package exports must be its face: exactly the entries of FACES, each pointing at a file that exists. */
function exportViolations(root: string, part: Part): BoundaryViolation[] {
  const face = FACES[part];
  const pkg = readJson(join(root, part, 'package.json'));
  if (!face || !pkg) return [];
  const file = `${part}/package.json`;
  const rule = `exports name ${Object.values(face).join(' and ')} only`;
  const exp = pkg['exports'];
  if (typeof exp !== 'object' || exp === null || Array.isArray(exp)) return [{ file, line: 0, specifier: 'exports', rule }];
  const out: BoundaryViolation[] = [];
  for (const [key, value] of Object.entries(exp)) {
    if (face[key] !== value) out.push({ file, line: 0, specifier: `${key}: ${JSON.stringify(value)}`, rule });
    else if (!existsSync(join(root, part, value))) out.push({ file, line: 0, specifier: `${key}: ${value}`, rule: 'an export points at a file that exists' });
  }
  for (const key of Object.keys(face)) if (!(key in exp)) out.push({ file, line: 0, specifier: key, rule: `exports name ${face[key]}` });
  return out;
}

/** Every import in the tree under `root` that breaks a dependency rule, and every package export beyond a face. */
export function findBoundaryViolations(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const part of PARTS) {
    const files: string[] = [];
    walk(join(root, part), files);
    for (const file of files) {
      const rel = relative(root, file);
      const folder = rel.split(sep)[1] ?? '';
      for (const { specifier, line } of importsOf(readFileSync(file, 'utf8'))) {
        const rule = ruleFor(part, folder, targetOf(root, file, specifier), specifier);
        if (rule) violations.push({ file: rel.split(sep).join('/'), line, specifier, rule });
      }
    }
    violations.push(...exportViolations(root, part));
  }
  // The firmware is deployed alone: its declared runtime dependencies must not pull the cloud's in.
  const firmware = readJson(join(root, 'firmware', 'package.json'));
  for (const dep of Object.keys((firmware?.['dependencies'] as Record<string, string> | undefined) ?? {})) {
    if (dep === '@portier/cloud' || CLOUD_ONLY_PACKAGES.some((p) => dep === p || (p.endsWith('/') && dep.startsWith(p)))) {
      violations.push({ file: 'firmware/package.json', line: 0, specifier: dep, rule: 'firmware runtime dependencies exclude the cloud' });
    }
  }
  return violations;
}
