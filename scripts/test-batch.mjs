// Runs several compiled test files in one process, one after another (see planRuns in run-compiled-tests.mjs): each
// file's tests register on tap's root as they do when the file runs alone, and run in the order of the files.
import { pathToFileURL } from 'node:url';
import t from 'tap';

const files = process.argv.slice(2);
// Every file is loaded within this first test, so its tests are queued on the root behind it before any of them runs:
// tap ends its root once the queue runs dry, which would otherwise happen while a later file is still loading.
t.test(`load ${files.length} test files`, async (t) => {
  for (const file of files) await import(pathToFileURL(file).href);
  t.pass('loaded');
});
