// The standalone demo: the terminal kiosk over a real kiosk engine, the demo desired state and virtual doors.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { KioskEngine, DesiredStateCredentials } from '@portier/firmware';
import type { EventBody } from '@portier/protocol';
import { runTerminalKiosk } from '../../src/kiosk-terminal/index.ts';
import { DEMO_CODES, VirtualDoorsPort, demoDesiredState } from '../../src/kiosk-terminal/demo.ts';
import { expectCondition } from '@portier/sim';

t.test('demo: pickup on virtual doors, a person shuts them with C, reopen offered', async (t) => {
  const state = demoDesiredState({ openAllAtOnce: true });
  const statePort = { current: () => state, isOnline: () => false };
  const doors = new VirtualDoorsPort(state.doors.map((d) => d.door), 100);
  const events: EventBody[] = [];
  const engine = new KioskEngine({ doors, state: statePort, credentials: new DesiredStateCredentials(statePort), sink: { publishEvent: (b) => events.push(b) } });
  engine.start();
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const done = runTerminalKiosk({ input, output, engine, extraKeys: { C: { help: 'a person shuts the open doors', run: () => doors.closeAll() } } });
  t.teardown(async () => {
    input.end();
    await done;
    await engine.stop();
    doors.dispose();
  });
  const until = (pred: () => boolean): Promise<void> => expectCondition(pred, 5000).catch((err: unknown) => {
    t.comment(`output:\n${out.slice(-2000)}`);
    throw err;
  });
  await until(() => out.includes('C = a person shuts the open doors'));
  input.write(`${DEMO_CODES.pickup}\r`);
  await until(() => doors.doors.get(2)?.open === true && doors.doors.get(3)?.open === true);
  await until(() => /Open now: locker 103, column 1, third door from the top/.test(out));
  t.match(events.find((e) => e.type === 'transaction'), { kind: 'pickup', doors: [2, 3], offline: true, actor: { id: 'alice' } });
  input.write('C');
  await until(() => engine.screen.options.some((o) => o.id === 'reopen'));
  t.notOk(doors.doors.get(2)?.open);
  t.pass('reopen offered after the doors were shut');
});
