// The controller half of the remote-open reference path: the least work a controller must do to carry out a signed
// open, with the libraries and settings Portier's firmware uses. An MQTT client (QoS 1, TCP_NODELAY) on its command
// topic; per command: Ed25519 verification (protocol's verifyMessage) and the expiry check, one durable append
// (firmware's AppendLog: write + fdatasync), one unlock exchange with a simulated KR-CU16 board through the firmware's
// own KerongCu16Bus on serialport's mock binding (the board set the simulated bank uses, answering after the same
// delay), and the reply on the ack topic. No seen-id set, pending mark, door watch, event journal or validation.
import { connectMqttAsync } from '@portier/cloud';
import { AppendLog } from '@portier/firmware';
import { KerongCu16Bus } from '@portier/firmware/hal';
import { importPublicKey, topicFor, verifyMessage } from '@portier/protocol';
import { VirtualCu16BoardSet, VirtualDoor, createMockCu16Transport } from '@portier/sim';

export interface ReferenceControllerOptions {
  brokerUrl: string;
  /** Broker credentials of a controller identity of `bankId`. */
  username: string;
  password: string;
  bankId: string;
  publicKeyPem: string;
  logPath: string;
  doors: number;
  /** How long the virtual boards take to answer, ms (as the simulated column's). */
  boardReplyDelayMs: number;
  /** The pulse the unlock asks for, ms (as the column's door settings). */
  pulseMs: number;
}

export interface ReferenceController {
  close(): Promise<void>;
}

export async function startReferenceController(o: ReferenceControllerOptions): Promise<ReferenceController> {
  const publicKey = importPublicKey(o.publicKeyPem);
  const doors = Array.from({ length: o.doors }, (_, i) => new VirtualDoor(i + 1, { springDelayMs: 0, releaseAfterMs: 0 }));
  const boards = VirtualCu16BoardSet.inOrder(doors, { pulseMs: 300, hardwareMaxPulseMs: 2000, replyDelayMs: o.boardReplyDelayMs });
  const transport = createMockCu16Transport(boards);
  const bus = new KerongCu16Bus({ openPort: () => transport.openPort(), doorCount: o.doors, maxPulseMs: o.pulseMs });
  await bus.open();
  const { log } = await AppendLog.open(o.logPath);
  // TCP_NODELAY on both sides, as the cloud's and the controller's links set it.
  const client = await connectMqttAsync(o.brokerUrl, { clientId: o.username, username: o.username, password: o.password, reconnectPeriod: 0 });
  const cmdTopic = topicFor(o.bankId, o.username, 'cmd');
  const ackTopic = topicFor(o.bankId, o.username, 'ack');
  const carryOut = async (payload: Buffer): Promise<void> => {
    const cmd = JSON.parse(payload.toString('utf8')) as { id: string; expiresAt: number; body: { door: number } };
    const valid = verifyMessage(cmd, publicKey) && cmd.expiresAt > Date.now();
    let status = 'rejected';
    if (valid) {
      await log.append(JSON.stringify({ id: cmd.id, door: cmd.body.door, at: Date.now() }));
      await bus.unlock(cmd.body.door, o.pulseMs);
      status = 'done';
    }
    client.publish(ackTopic, JSON.stringify({ v: 1, commandId: cmd.id, status, at: Date.now() }), { qos: 1 });
  };
  client.on('message', (_t, payload) => void carryOut(payload));
  await client.subscribeAsync(cmdTopic, { qos: 1 });
  return {
    close: async () => {
      client.end(true);
      await bus.close();
      await log.close();
      await transport.close();
      boards.dispose();
      for (const d of doors) d.dispose();
    },
  };
}
