// The technician console's sign-in lock-out is one per controller and kept on disk: a restart (power cycle) of the
// controller does not lift it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { expectCondition } from '@portier/sim';
import { startController } from '../../src/runtime/controller-runtime.ts';
import { validateRuntimeConfig } from '../../src/runtime/config.ts';
import { hashTechnicianPin } from '../../src/console/config-section.ts';
import { createCu16Fixture } from '../fixtures/cu16-fixture.ts';
import { FakeBackend } from '../console/fixtures/fake-backend.ts';

t.test('five wrong console PINs lock the console; the lock-out survives a restart of the controller', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-conthr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const v = await validateRuntimeConfig({
    log: { level: 'silent' },
    hardware: { bus: { kind: 'kerong-cu16', path: '/dev/portier-test-unused', doorCount: 2, replyTimeoutMs: 50 }, doors: { maxPulseMs: 600 } },
    // Nobody listens on that broker: the link keeps retrying in the background, the console works regardless.
    link: { brokerUrl: 'mqtt://127.0.0.1:1', bankId: 'b', controllerId: 'c', secret: 'secret-secret', cloudPublicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n', dataDir: join(dir, 'data') },
    console: { pinHash: await hashTechnicianPin('123456', { N: 1024 }), maxFailures: 5, lockoutS: 600, failureDelayMs: 0 },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const start = async () => {
    const f = await createCu16Fixture({ doorCount: 2, maxPulseMs: 600 });
    const rt = await startController({ config: v.config, bus: f.bus, serialConsole: false, consoleBackend: () => new FakeBackend({} as never, 2) });
    return { f, rt };
  };
  let { f, rt } = await start();
  const throttle = rt.console!.throttle;
  for (let i = 0; i < 5; i++) throttle.fail();
  t.equal(throttle.check().state, 'locked', 'locked after five wrong PINs');
  const file = join(dir, 'data', 'console-throttle.json');
  await expectCondition(() => existsSync(file), 20_000, 'the lock-out written to disk');
  t.ok(existsSync(file), 'the lock-out is on disk');
  await rt.stop();
  await f.cleanup();

  ({ f, rt } = await start());
  t.teardown(async () => {
    await rt.stop();
    await f.cleanup();
  });
  const after = rt.console!.throttle.check();
  t.equal(after.state, 'locked', 'still locked after the restart');
  t.ok(after.state === 'locked' && after.until > Date.now() + 500_000, 'for the rest of the ten minutes');
});
