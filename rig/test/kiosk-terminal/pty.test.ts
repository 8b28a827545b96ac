// The terminal kiosk in a real terminal: raw mode, keys as a person types them, ANSI redraws.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { entryArgs, expectValue } from '@portier/sim';

const HARNESS = fileURLToPath(new URL('./fixtures/harness.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let pty: typeof import('node-pty') | undefined;
try {
  pty = await import('node-pty');
} catch {
  pty = undefined;
}

t.test('a pickup typed in a real terminal', { skip: pty ? false : 'node-pty not built' }, async (t) => {
  const p = (pty as typeof import('node-pty')).spawn(process.execPath, entryArgs(HARNESS), {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    cwd: ROOT,
    env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>,
  });
  let out = '';
  const exited = new Promise<number>((resolve) => p.onExit((e) => resolve(e.exitCode)));
  p.onData((d) => {
    out += d;
  });
  t.teardown(() => {
    try {
      p.kill();
    } catch {
      // already gone
    }
  });
  const expect = (re: RegExp, from: number, timeoutMs = 30_000): Promise<string> =>
    expectValue(() => (re.test(out.slice(from)) ? out.slice(from) : undefined), timeoutMs, `${re} on the terminal`, 20).catch((err: unknown) => {
      t.comment(`saw ${JSON.stringify(out.slice(from))}`);
      throw err;
    });
  await expect(/== Welcome ==/, 0);
  t.match(out, /\x1b\[2J/, 'a capable terminal is redrawn with ANSI');
  let mark = out.length;
  p.write('48');
  p.write('2913');
  await expect(/> \*{6}_/, mark);
  t.notMatch(out, /482913/, 'the code is never echoed');
  mark = out.length;
  p.write('\r');
  const page = await expect(/Open now: locker 13, column 2, first door from the top/, mark);
  t.match(page, /== Your packages ==/);
  t.match(out, /door-opened 2/, 'door 2 opened');
  t.match(out, /door-opened 3/, 'door 3 opened');
  mark = out.length;
  p.write('\x03');
  await expect(/bye/, mark);
  t.equal(await exited, 0, 'Ctrl-C ends it cleanly');
});
