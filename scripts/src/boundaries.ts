// The dependency rules of DESIGN.md, checked over the source tree:
//   protocol imports nothing of ours; firmware and cloud never import each other; cloud never imports sim;
//   firmware's production code imports neither sim nor the cloud's server libraries.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface BoundaryViolation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

const PARTS = ['protocol', 'firmware', 'cloud', 'sim', 'scripts'] as const;
type Part = (typeof PARTS)[number];

/** Server-side libraries that must never reach a controller board. */
const CLOUD_ONLY_PACKAGES = ['aedes', 'fastify', '@fastify/', 'fastify-type-provider-zod', 'csv-stringify', 'csv-parse'];

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;

function walk(dir: string, out: string[]): void {
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

/** Which part a specifier points into, if it points into one of ours. */
function targetPart(root: string, fromFile: string, specifier: string): Part | undefined {
  const pkg = /^@portier\/([a-z]+)/.exec(specifier);
  if (pkg) return (PARTS as readonly string[]).includes(pkg[1] as string) ? (pkg[1] as Part) : undefined;
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(root, resolve(dirname(fromFile), specifier));
  const first = target.split(sep)[0];
  return (PARTS as readonly string[]).includes(first as string) ? (first as Part) : undefined;
}

function ruleFor(part: Part, isTest: boolean, target: Part | undefined, specifier: string): string | undefined {
  if (part === 'protocol' && target !== undefined && target !== 'protocol') return 'protocol imports nothing of ours';
  if (part === 'firmware' && target === 'cloud') return 'firmware never imports cloud';
  if (part === 'cloud' && target === 'firmware') return 'cloud never imports firmware';
  if (part === 'cloud' && target === 'sim') return 'cloud never imports sim';
  if (part === 'sim' && target === 'cloud') return 'sim never imports cloud';
  if (part === 'firmware' && !isTest) {
    if (target === 'sim') return 'firmware production code never imports the simulator';
    if (CLOUD_ONLY_PACKAGES.some((p) => specifier === p || specifier.startsWith(p.endsWith('/') ? p : `${p}/`))) {
      return `firmware must not depend on the cloud's server library ${specifier}`;
    }
  }
  return undefined;
}

/** Every import in the tree under `root` that breaks a dependency rule. */
export function findBoundaryViolations(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const part of PARTS) {
    const files: string[] = [];
    walk(join(root, part), files);
    for (const file of files) {
      const rel = relative(root, file);
      const isTest = rel.split(sep)[1] === 'test';
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((text, i) => {
        for (const m of text.matchAll(IMPORT_RE)) {
          const specifier = m[2] as string;
          const rule = ruleFor(part, isTest, targetPart(root, file, specifier), specifier);
          if (rule) violations.push({ file: rel, line: i + 1, specifier, rule });
        }
      });
    }
  }
  // The firmware is deployed alone: its declared runtime dependencies must not pull the cloud's in.
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'firmware', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (dep === '@portier/cloud' || CLOUD_ONLY_PACKAGES.some((p) => dep === p || (p.endsWith('/') && dep.startsWith(p)))) {
        violations.push({ file: 'firmware/package.json', line: 0, specifier: dep, rule: 'firmware runtime dependencies exclude the cloud' });
      }
    }
  } catch {
    // no firmware package yet
  }
  return violations;
}
