// The NATS half's broker: a three-node NATS cluster (JetStream and its MQTT gateway, Debian `nats-server`) run with
// the files portier-cloud's library writes, every node on loopback ports of its own, started by the cloud's NATS test
// helper (one implementation). The cloud is given every node's MQTT URL, each controller one node's.
//
// One cluster per test file (process): its files and ports are kept from test to test, and a test that brings a new
// data folder finds the cluster stopped (at the end of the test before), its store emptied and its auth.conf written
// from that folder's identities before it starts again (about a second). Every test of the flows seeds the same bank
// and controller ids: a session, a queued or a retained message an earlier test left would reach the next test's
// controllers and cloud. Dropping those from the running cluster instead (clean connects under each old client id,
// empty retained messages) would save that second, but is not safe on nats-server 2.9.10: a reload of an auth.conf
// that no longer names the publisher of a retained message makes a node holding that message from another node panic
// (a nil dereference in mqttCheckPubRetainedPerms), and the deletions reach the other nodes asynchronously.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tap from 'tap';
import type { IdentitySource } from '@portier/cloud';
import { natsMissing, startNatsCluster, startNatsProcesses, type NatsNodeProcess, type RunningNatsCluster } from '../../../cloud/test/mqtt/helpers/nats.ts';
import type { ExternalBroker } from './broker.ts';

/** The skip reason of a run that needs nats-server, or false. */
export { natsMissing };

/** The nodes of the cluster: three, as cloud/DEPLOY.md deploys it (a session survives the loss of one). */
const NODES = 3;

/** A cluster of the file's, serving one data folder at a time. */
export class NatsCluster implements ExternalBroker {
  private static ofFile: Promise<NatsCluster> | undefined;

  private constructor(
    private readonly cluster: RunningNatsCluster,
    private dataDir: string,
  ) {}

  /**
   * The file's cluster, running, for the cloud data folder `dataDir` whose identities `src` holds (its service account
   * among them). Started the first time; for a folder other than the one it served, started again from an empty
   * store with the accounts of `src` (the folder it served must be done with it: stopped at its test's teardown).
   */
  static async serve(src: IdentitySource, dataDir: string): Promise<NatsCluster> {
    if (!NatsCluster.ofFile) {
      NatsCluster.ofFile = (async () => {
        const dir = await mkdtemp(join(tmpdir(), 'portier-e2e-nats-'));
        // The processes end with their test at the latest; the files and stores with the test file.
        tap.teardown(() => rm(dir, { recursive: true, force: true }));
        return new NatsCluster(await startNatsCluster(tap, src, dir, NODES), dataDir);
      })();
      return NatsCluster.ofFile;
    }
    const c = await NatsCluster.ofFile;
    if (c.dataDir !== dataDir) await c.renew(src, dataDir);
    return c;
  }

  get url(): string {
    return this.cluster.url;
  }

  get nodeUrls(): readonly string[] {
    return this.nodes.map((n) => n.mqttUrl);
  }

  get nodes(): readonly NatsNodeProcess[] {
    return this.cluster.nodes;
  }

  get running(): boolean {
    return this.nodes.some((n) => n.running);
  }

  /** Every node started again on its port and its store; resolves once the cluster has a JetStream leader again. */
  async resume(): Promise<void> {
    await startNatsProcesses(this.nodes);
  }

  /** Every node stopped by its PID (SIGTERM: each leaves its store complete); the cluster's outage. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  /** Stopped at the end of each test: the file's next test starts it again on an empty store (`serve`). */
  release(): Promise<void> {
    return this.stop();
  }

  /** auth.conf written again from `src`, and every running node reloaded (SIGHUP), as after a provision. */
  async syncAccounts(src: IdentitySource): Promise<void> {
    await this.cluster.reauthorize(src);
  }

  private async renew(src: IdentitySource, dataDir: string): Promise<void> {
    if (this.running) throw new Error(`the NATS cluster of this test file still serves ${this.dataDir}: one data folder at a time`);
    // Each node's data (its JetStream store: sessions, queued and retained messages) is in its own folder.
    for (const { node } of this.nodes) {
      const own = join(this.cluster.files.dir, node.name);
      await rm(own, { recursive: true, force: true });
      await mkdir(own);
    }
    await this.cluster.reauthorize(src);
    this.dataDir = dataDir;
    await this.resume();
  }
}
