import t from 'tap';
import { allFixtures } from './harness.ts';
import { lockBusContract } from './lock-bus.contract.ts';

for (const fx of await allFixtures()) {
  t.test(`LockBus contract: ${fx.name}`, async (t) => {
    lockBusContract(t, fx.make);
  });
}
