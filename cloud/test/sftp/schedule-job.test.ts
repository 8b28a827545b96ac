// Scheduled SFTP imports of instances sharing a database: one instance runs every schedule, the holder of the
// `sftp-schedules` job lease. Another does not run a schedule its holder was alive to run; when the holder died just
// before the due time, the run is still due when another instance takes the job over, and runs then, once.
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import type { JobLease } from '../../src/store/job-leases.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { SftpImportRecord } from '../../src/sftp/model.ts';
import type { Timers } from '../../src/sftp/runner.ts';
import { SftpScheduler } from '../../src/sftp/scheduler.ts';

const T0 = Date.UTC(2026, 0, 15, 3, 29, 0);
const DUE = Date.UTC(2026, 0, 15, 3, 30, 0);
const record = { enterpriseId: 'ent', schedule: '30 3 * * *', enabled: true } as SftpImportRecord;

/** A job lease this test drives: who holds it, and when its holder last renewed it. */
class FakeJob extends EventEmitter<{ gained: [] }> implements JobLease {
  held = false;
  renewed: number | undefined;
  holds(): boolean {
    return this.held;
  }
  renewedAt(): number | undefined {
    return this.renewed;
  }
  gain(): void {
    this.held = true;
    this.emit('gained');
  }
}

function standby(t: Test) {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const timers: Timers = { now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) };
  const job = new FakeJob();
  const run = sinon.stub().resolves({ outcome: 'ok' });
  const sched = new SftpScheduler({ imports: { all: () => [record] }, runner: { run }, store: new MemoryStore(), instanceId: 'b', timers, checkMs: 30_000, job });
  t.teardown(() => sched.stop());
  sched.start();
  return { clock, job, run, sched };
}

t.test('the holder was alive after the due time: the standby instance does not run it', async (t) => {
  const { clock, job, run, sched } = standby(t);
  job.renewed = T0; // the holder renews as it goes
  await clock.tickAsync(DUE - T0);
  t.equal(run.callCount, 0, 'not before the holder is seen after the due time');
  job.renewed = DUE + 500;
  await clock.tickAsync(2000);
  t.equal(run.callCount, 0, 'the holder ran it');
  t.equal(sched.nextRun('ent'), Date.UTC(2026, 0, 16, 3, 30), 'planned for tomorrow');
  job.gain();
  await clock.tickAsync(2000);
  t.equal(run.callCount, 0, 'taking the job later does not run it again');
});

t.test('the holder died before the due time: the instance taking the job runs it then, once', async (t) => {
  const { clock, job, run, sched } = standby(t);
  job.renewed = DUE - 1000; // its last renewal, then nothing
  await clock.tickAsync(DUE - T0 + 4000);
  t.equal(run.callCount, 0, 'still waiting for the job');
  t.equal(sched.nextRun('ent'), DUE, 'still due');
  job.renewed = undefined; // the dead holder's lease expired
  job.gain();
  await clock.tickAsync(0);
  t.equal(run.callCount, 1, 'run on taking the job over');
  t.same(run.firstCall.args, ['ent', 'schedule']);
  await clock.tickAsync(60_000);
  t.equal(run.callCount, 1, 'once');
  t.equal(sched.nextRun('ent'), Date.UTC(2026, 0, 16, 3, 30));
});
