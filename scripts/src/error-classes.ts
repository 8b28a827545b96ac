// The one error base of the platform: every error class of a workspace's production code extends PortierError
// (protocol/src/errors.ts), directly or through a class that does (CloudError), so every failure carries a typed
// `code`. This finds the classes that extend a built-in error instead, reading each source file with TypeScript's own
// parser (a class written inside a string or a comment is not one).
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { walk } from './boundaries.ts';

export interface ErrorClassViolation {
  file: string;
  line: number;
  /** The class declared, or `(anonymous)` for a class expression without a name. */
  name: string;
  /** The built-in error it extends. */
  base: string;
}

/** The one class allowed to extend `Error` itself: the platform's error base. */
export const ERROR_BASE = { file: 'protocol/src/errors.ts', name: 'PortierError' } as const;

/** JavaScript's own error constructors: extending any of them skips the typed code of the one base. */
export const BUILT_IN_ERRORS: ReadonlySet<string> = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
]);

/** `Error`, `globalThis.Error`, `global.RangeError`...: the built-in error an `extends` clause names, if it names one. */
function builtInNamed(expr: ts.Expression): string | undefined {
  let e = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return BUILT_IN_ERRORS.has(e.text) ? e.text : undefined;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && ['globalThis', 'global', 'window', 'self'].includes(e.expression.text)) {
    return BUILT_IN_ERRORS.has(e.name.text) ? e.name.text : undefined;
  }
  return undefined;
}

/** Every class of `text` that extends a built-in error, with its 1-based line. */
export function errorClassesOf(fileName: string, text: string): Array<{ name: string; base: string; line: number }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ name: string; base: string; line: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      for (const clause of node.heritageClauses ?? []) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        for (const type of clause.types) {
          const base = builtInNamed(type.expression);
          if (base === undefined) continue;
          const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          found.push({ name: node.name?.text ?? '(anonymous)', base, line });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The workspaces named by the root package.json. */
function workspacesOf(root: string): string[] {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: unknown };
    return Array.isArray(pkg.workspaces) ? pkg.workspaces.filter((w): w is string => typeof w === 'string') : [];
  } catch {
    return [];
  }
}

/** Every class under a workspace's `src/` that extends a built-in error, except the one base. */
export function findErrorClassViolations(root: string): ErrorClassViolation[] {
  const out: ErrorClassViolation[] = [];
  for (const ws of workspacesOf(root)) {
    const files: string[] = [];
    walk(join(root, ws, 'src'), files);
    for (const path of files.sort()) {
      const file = relative(root, path).split(sep).join('/');
      for (const c of errorClassesOf(file, readFileSync(path, 'utf8'))) {
        if (file === ERROR_BASE.file && c.name === ERROR_BASE.name && c.base === 'Error') continue;
        out.push({ file, line: c.line, name: c.name, base: c.base });
      }
    }
  }
  return out;
}
