/**
 * Size limits of the MQTT side, one set for every broker Portier runs or configures: the embedded aedes broker
 * enforces them per connection, the generated Mosquitto configuration as far as Mosquitto can (globally).
 */
import { MAX_PAYLOAD_BYTES } from '@portier/protocol';

/**
 * Largest MQTT packet, in bytes:
 * - `connect`: before the identity is known (a CONNECT: client id, user name, a password of at most 1024 bytes and
 *   a last will of at most a `status` message);
 * - `service`: a service account (the cloud publishes desired states of up to 8 MiB);
 * - `controller`: a controller (events, acks, reported state and status are all far smaller).
 */
export const DEFAULT_MAX_PACKET_BYTES = { connect: 16 * 1024, service: 9 * 1024 * 1024, controller: 256 * 1024 } as const;

export interface PacketLimits {
  connect: number;
  service: number;
  controller: number;
}

/** Largest payload anyone legitimately publishes: a desired state. */
export const MAX_MESSAGE_BYTES = Math.max(...Object.values(MAX_PAYLOAD_BYTES));

/**
 * Longest client id a broker accepts. The id a client gives is replaced by its user name anyway (so nobody can take
 * another identity's session); the bound keeps a client from making the broker hold and log an arbitrary string.
 */
export const MAX_CLIENT_ID_LENGTH = 128;
