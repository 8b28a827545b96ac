// Each workspace's modules import each other in one direction: no import circle (type-only imports included, they
// still tie the modules' meanings together), and no source file over 500 lines.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// The repository itself, also when this file runs from the compiled mirror (scripts/build-tests.mjs).
const ROOT = process.env['PORTIER_SOURCE_ROOT'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKSPACES = ['protocol', 'durable', 'firmware', 'cloud', 'sim', 'rig', 'scripts'];
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sources(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a file, resolved to files. */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gms;
  for (const m of text.matchAll(re)) out.push(resolve(dirname(file), (m[1] ?? m[2])!));
  return out;
}

/** Strongly connected components of more than one file (or a file importing itself): the circles. */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

for (const ws of WORKSPACES) {
  const src = join(ROOT, ws, 'src');
  const files = sources(src);
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

  t.test(`no import circle in ${ws}/src`, async (t) => {
    const graph = new Map(files.map((f) => [f, importsOf(f, texts.get(f)!)]));
    t.ok(graph.size > 0, 'the sources were found');
    const found = circles(graph).map((c) => c.map((f) => relative(src, f)).join(' <-> '));
    t.same(found, [], 'modules that import each other, directly or around a loop');
  });

  t.test(`no ${ws} source file over 500 lines`, async (t) => {
    const long = files.map((f) => ({ file: relative(src, f), lines: texts.get(f)!.split('\n').length })).filter((x) => x.lines > 500);
    t.same(long, []);
  });
}
