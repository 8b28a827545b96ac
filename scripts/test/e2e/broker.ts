// The brokers of the end-to-end flows (both-brokers.ts runs each flow on two or three of them): the cloud's own aedes
// (`embedded`), a real Mosquitto 2 on a loopback port (`mosquitto`), or a three-node NATS cluster (`nats`,
// nats-cluster.ts), each external one run with the files portier-cloud generates, as an operator runs it. A Mosquitto
// here is started and stopped by its PID, keeps its port across a stop and start (an outage), and after each provision
// is given the regenerated password and ACL files and reloaded (SIGHUP).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeMosquittoAuthFiles, writeMosquittoFiles, reloadMosquitto, type IdentitySource, type MosquittoFiles } from '@portier/cloud';
import { expectCondition } from '@portier/sim';
import { MOSQUITTO, freePort, mosquittoMissing } from '../../../cloud/test/mqtt/helpers/mosquitto.ts';

export type E2eBrokerMode = 'embedded' | 'mosquitto' | 'nats';

/** What the harness needs of a broker it runs beside the cloud for a data folder (Mosquitto, the NATS cluster). */
export interface ExternalBroker {
  /** What the cloud is given: the broker's URL, or every node's separated by commas. */
  readonly url: string;
  /** Each node's URL (Mosquitto's one): the controllers and the tests' own clients are spread over them. */
  readonly nodeUrls: readonly string[];
  readonly running: boolean;
  /** Starts it again after `stop`, on the ports and with the stored sessions it had. */
  resume(): Promise<void>;
  /** Stops it by its PIDs: a broker outage when the cloud stops with it. */
  stop(): Promise<void>;
  /** The end of the test that started it: stopped, or kept for the test file's next test. */
  release(): Promise<void>;
  /** What an operator does after a provision: the broker's account files written again from `src` and reloaded. */
  syncAccounts(src: IdentitySource): Promise<void>;
}

/** The skip reason of a run that needs Mosquitto, or false (the binary found as the cloud's Mosquitto tests find it). */
export { mosquittoMissing };

/** What a Mosquitto process has logged (stderr), for bounded waits on a line. */
class MosquittoLog {
  text = '';
  /** Resolves once `re` matches what was logged after `from`, within `ms`. */
  async wait(re: RegExp, from: number, ms: number, what: string): Promise<void> {
    await expectCondition(() => re.test(this.text.slice(from)), ms, `mosquitto ${what}; its log:\n${this.text.slice(-2000)}`);
  }
}

/** A real Mosquitto on 127.0.0.1, configured by writeMosquittoFiles; one process at a time, same port throughout. */
export class Mosquitto implements ExternalBroker {
  private child: ChildProcess | undefined;
  private readonly log = new MosquittoLog();

  private constructor(
    readonly files: MosquittoFiles,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get nodeUrls(): readonly string[] {
    return [this.url];
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** PID of the running process (its RSS, a kill on the way out), if running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Writes mosquitto.conf, the password and the ACL file of `src` under `dir` (with a pid file, as
   * `portier-cloud mosquitto-files --pid-file` does) and starts Mosquitto. `src` must already hold the cloud's
   * service account. The caller stops it (`stop`) at teardown.
   */
  static async start(src: IdentitySource, dir: string): Promise<Mosquitto> {
    if (!MOSQUITTO) throw new Error('mosquitto not installed');
    const port = await freePort();
    // Started as root, Mosquitto would switch to a `mosquitto` user who cannot read the 0600 files.
    const extra = { pidFile: `${dir}/mosquitto.pid`, ...(process.getuid?.() === 0 ? { runAs: 'root' } : {}) };
    const files = await writeMosquittoFiles(src, dir, { host: '127.0.0.1', port }, extra);
    const m = new Mosquitto(files, port);
    await m.resume();
    return m;
  }

  /** Starts the process again (same configuration, port and persistence) after `stop`. */
  async resume(): Promise<void> {
    if (this.child) return;
    const from = this.log.text.length;
    const child = spawn(MOSQUITTO!, ['-c', this.files.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (this.log.text += d.toString()));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    await Promise.race([
      this.log.wait(/running/, from, 10_000, 'running'),
      new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}:\n${this.log.text}`)))),
    ]);
  }

  /** Each test's Mosquitto ends with it. */
  release(): Promise<void> {
    return this.stop();
  }

  /** SIGTERM to its PID; resolves once it exited (it saves its persistence file first). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  /**
   * What an operator does after a provision: the password and ACL files written again from the registry `src`, and
   * Mosquitto told to reload them through the pid file its configuration names (as `revoke --mosquitto-dir` does).
   */
  async syncAccounts(src: IdentitySource): Promise<void> {
    await writeMosquittoAuthFiles(src, this.files.dir);
    if (!this.child) return; // stopped: it reads the files when it starts again
    const from = this.log.text.length;
    const reloaded = await reloadMosquitto(this.files.dir);
    if (!reloaded) throw new Error('the generated mosquitto.conf names no pid_file');
    await this.log.wait(/[Rr]eloading/, from, 10_000, 'reloaded its files');
  }
}
