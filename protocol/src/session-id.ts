import { createHmac } from 'node:crypto';

/**
 * The MQTT client id an identity connects with: its user name and 16 hex digits derived from its secret. A broker
 * that binds the client id to the user (the embedded one, Mosquitto with use_username_as_clientid) replaces it with the
 * user name anyway. One that does not (a NATS cluster) lets any authenticated client name any client id and so take
 * that session over, disconnecting its owner: a client id only the secret's holder can compute keeps a stolen
 * credential from doing that to any identity but its own.
 */
export function sessionClientId(username: string, secret: string): string {
  const tag = createHmac('sha256', secret).update(`portier mqtt client id\u0000${username}`).digest('hex').slice(0, 16);
  return `${username}-${tag}`;
}
