import type { MqttClient } from 'mqtt';
import { encodePayload, type Ack, type Command } from '@portier/protocol';
import type { Logger } from '../util/logger.ts';
import type { LinkConnection } from './connection.ts';

interface QueuedAck {
  ack: Ack;
  payload: Buffer;
  /** Generation of the connection it was last handed to (0: none yet). */
  sentOn: number;
  done?: () => void;
}

/**
 * Command answers. An ack stays queued until the broker took it (PUBACK); a connection lost meanwhile sends it again
 * on the next one. `done` runs once the broker has it (a restart's `unknown` answers clear their pending mark then).
 */
export class AckQueue {
  private readonly acks: QueuedAck[] = [];

  constructor(
    private readonly conn: LinkConnection,
    private readonly log: Logger,
    private readonly announce: (e: { ack: Ack; command: Command | undefined }) => void,
  ) {}

  queue(ack: Ack, command: Command | undefined, done?: () => void): void {
    let payload: Buffer;
    try {
      payload = encodePayload('ack', ack);
    } catch (err) {
      this.log.error({ err, ack }, 'invalid ack not sent');
      return;
    }
    const q: QueuedAck = { ack, payload, sentOn: 0, ...(done ? { done } : {}) };
    this.acks.push(q);
    this.announce({ ack, command });
    const online = this.conn.onlineClient();
    if (online) this.send(online.client, online.gen, q);
  }

  /** Hands every queued ack to connection `gen` (once per connection). */
  sendAll(client: MqttClient, gen: number): void {
    for (const a of this.acks) this.send(client, gen, a);
  }

  private send(client: MqttClient, gen: number, q: QueuedAck): void {
    if (q.sentOn === gen) return;
    q.sentOn = gen;
    this.conn.publishRaw(client, 'ack', q.payload, (err) => {
      if (err) return;
      const i = this.acks.indexOf(q);
      if (i >= 0) this.acks.splice(i, 1);
      q.done?.();
    });
  }
}
