// The bank tests' world: the link tests' aedes broker (controllers by id + secret, with the access rules of DESIGN.md,
// and a service account) and their service-account "cloud", which signs commands, desired states and evtacks with the
// test's own key and records what controllers publish, here addressed to one bank. Sim tests never import cloud/.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { hashCredential, DEFAULT_BANK_RULES, DEFAULT_KIOSK_TIMERS, type CommandOf, type CommandType, type DesiredState } from '@portier/protocol';
import { startTestBroker, type TestBroker } from '../../../firmware/test/link/helpers/broker.ts';
import { TestCloud, WAIT_MS, makeCommand, type Received } from '../../../firmware/test/link/helpers/cloud.ts';

/** A message a controller published; controllers publish JSON objects. */
export type Msg = Received & { json: Record<string, unknown> };

/** The test cloud, addressed to one bank. */
export class BankCloud {
  constructor(
    private readonly cloud: TestCloud,
    readonly bankId: string,
  ) {}

  get received(): readonly Received[] {
    return this.cloud.received;
  }

  /** The first message (already received from index `from`, or to come) passing `pred`, within `ms`. */
  waitFor(pred: (m: Msg) => boolean, ms = WAIT_MS, from = 0): Promise<Msg> {
    return this.cloud.waitFor((r) => pred(r as Msg), ms, from) as Promise<Msg>;
  }

  event(controllerId: string, type: string, from = 0, ms = WAIT_MS): Promise<{ seq: number; event: Record<string, unknown> }> {
    return this.waitFor((m) => m.channel === 'evt' && m.controllerId === controllerId && (m.json['event'] as { type: string }).type === type, ms, from).then(
      (m) => m.json as { seq: number; event: Record<string, unknown> },
    );
  }

  events(controllerId: string): Array<{ seq: number; event: Record<string, unknown> }> {
    return this.cloud.of('evt', controllerId).map((m) => m.json as { seq: number; event: Record<string, unknown> });
  }

  /** Signs and sends a command; resolves with its ack. */
  async command<T extends CommandType>(controllerId: string, type: T, body: CommandOf<T>['body']): Promise<{ status: string; reason?: string }> {
    const cmd = makeCommand(this.cloud.key, type, body, { bankId: this.bankId, controllerId });
    await this.cloud.sendCommand(cmd);
    return this.cloud.waitAck(cmd.id, WAIT_MS);
  }

  desired(controllerId: string, version: number, state: DesiredState): Promise<void> {
    return this.cloud.sendDesired(this.bankId, controllerId, version, state);
  }

  close(): Promise<void> {
    return this.cloud.close();
  }
}

export const PICKUP = '482913';
const HASH = { alg: 'scrypt' as const, salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 };

/** The kiosk column's desired state: four doors, door 4 out of service, a pickup code for door 2. */
export function kioskState(): DesiredState {
  const door = (n: number, service: 'in-service' | 'out-of-service' = 'in-service') =>
    ({ door: n, locker: 100 + n, size: 'M' as const, column: 1, fromTop: n, accessible: true, service });
  return {
    doors: [door(1), door(2), door(3), door(4, 'out-of-service')],
    credentialHash: HASH,
    credentials: [
      { id: 'cred-p', kind: 'pickup-code', hash: hashCredential('pickup-code', PICKUP, HASH), role: 'recipient', subjectId: 'alice', doors: [2], reservationIds: ['res-1'], oneTime: true },
    ],
    reservations: [{ id: 'res-1', kind: 'package', status: 'occupied', door: 2, trackingIds: ['1Z-SIM-1'], recipientId: 'alice' }],
    timers: { ...DEFAULT_KIOSK_TIMERS },
    rules: { ...DEFAULT_BANK_RULES },
  };
}

export interface World {
  broker: TestBroker;
  cloud: BankCloud;
  key: KeyObject;
  pem: string;
  dir: string;
  identities: Map<string, string>;
}

/** Broker, cloud client, key pair and a temp folder, all cleaned up at the end of the test. */
export async function world(t: Test, bankId: string, controllerIds: string[]): Promise<World> {
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const identities = new Map(controllerIds.map((c) => [c, `secret-${c}-${randomBytes(6).toString('hex')}`]));
  const broker = await startTestBroker([...identities].map(([controllerId, secret]) => ({ bankId, controllerId, secret })));
  const cloud = new BankCloud(await TestCloud.connect(broker.url, key), bankId);
  const dir = mkdtempSync(join(tmpdir(), 'portier-simbank-'));
  t.teardown(async () => {
    await cloud.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { broker, cloud, key, pem, dir, identities };
}
