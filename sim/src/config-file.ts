// What the simulator's description files (`portier-sim column`, `bank`, `kiosk`) share: reading YAML or JSON, and
// turning zod issues into problems with the path of each field, every problem at once.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A configuration problem with the path of the field at fault. */
export interface ConfigProblem {
  path: string;
  message: string;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: Issue[][];
}

/**
 * zod issues as problems. A union (doors: count or list) reports "invalid input" at its own path; the useful problems
 * are those of the branch the input was meant for: the one not rejected for its type at the root.
 */
export function zodProblems(issues: ReadonlyArray<unknown>): ConfigProblem[] {
  return issues.flatMap((i) => flatten(i as Issue, []));
}

function flatten(issue: Issue, base: PropertyKey[]): ConfigProblem[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors) {
    const meant = issue.errors.filter((branch) => !branch.every((b) => b.code === 'invalid_type' && b.path.length === 0));
    if (meant.length === 1) return (meant[0] as Issue[]).flatMap((b) => flatten(b, path));
  }
  return [{ path: path.length ? path.map(String).join('.') : '(root)', message: issue.message }];
}

/** Reads a YAML or JSON file (by extension; YAML otherwise, which also reads JSON); failures as one problem. */
export async function readConfigDocument(file: string, fail: (problems: ConfigProblem[]) => Error): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail([{ path: '(file)', message: (err as Error).message }]);
  }
  try {
    return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw fail([{ path: '(syntax)', message: (err as Error).message }]);
  }
}
