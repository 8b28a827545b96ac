// What a controller is sent while it is away: commands wait for it in its persistent session (QoS 1), while the
// desired state does not pile up there version by version (QoS 0): the broker sends the retained latest on the
// SUBSCRIBE the controller makes on each connection. On the test broker and on Mosquitto.
import t, { type Test } from 'tap';
import { expectCondition } from '@portier/sim';
import { fixture, BANK, CTRL } from './helpers/fixture.ts';
import { makeCommand, openDoorBody, sampleState, waitForEvent } from './helpers/cloud.ts';
import { mosquittoMissing } from './helpers/mosquitto.ts';

async function awayAndBack(t: Test, broker: 'aedes' | 'mosquitto'): Promise<void> {
  const f = await fixture(t, { broker });
  let link = await f.startLink();
  const first = waitForEvent(link as never, 'desired');
  await f.cloud.sendDesired(BANK, CTRL, 1, sampleState());
  await first;
  await link.stop();

  // Away: two newer desired states (each retained, the second replacing the first) and a remote open.
  await f.cloud.sendDesired(BANK, CTRL, 2, sampleState({ doors: sampleState().doors.slice(0, 2) }));
  await f.cloud.sendDesired(BANK, CTRL, 3, sampleState({ doors: sampleState().doors.slice(0, 1) }));
  const open = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  await f.cloud.sendCommand(open);

  link = await f.startLink({}, false);
  const applied: number[] = [];
  link.on('desired', (e: { desired: { version: number } }) => applied.push(e.desired.version));
  const ack = await f.cloud.waitAck(open.id);
  t.match(ack, { commandId: open.id, status: 'opened' }, 'the command sent while it was away is run once it is back');
  await expectCondition(() => link.status().desiredVersion === 3, 5000, 'the latest desired state applied');
  // A state published after the reconnect still arrives: the QoS 0 subscription is live.
  const fourth = waitForEvent(link as never, 'desired', (e: { desired: { version: number } }) => e.desired.version === 4);
  await f.cloud.sendDesired(BANK, CTRL, 4, sampleState());
  await fourth;
  t.same(applied, [3, 4], 'back, it applied the retained latest state, not each version published while it was away');
}

t.test('away and back, on the test broker', (t) => awayAndBack(t, 'aedes'));
t.test('away and back, on Mosquitto', { skip: mosquittoMissing() ?? false }, (t) => awayAndBack(t, 'mosquitto'));
