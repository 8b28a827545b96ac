/**
 * The MQTT protocol version a link speaks, and what a persistent session needs in each, on both sides (controller and
 * cloud). Pure data: each side hands these options to its own MQTT client.
 */
import { z } from 'zod';

/** 3.1.1 is the default: the embedded aedes broker and the NATS MQTT gateway speak nothing else. */
export const MQTT_VERSIONS = ['3.1.1', '5'] as const;
export type MqttVersion = (typeof MQTT_VERSIONS)[number];
export const DEFAULT_MQTT_VERSION: MqttVersion = '3.1.1';

/** A configuration's version setting; a bare 5 (YAML, an environment override) reads as "5". */
export const mqttVersionSchema = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.enum(MQTT_VERSIONS, { error: () => 'expected "3.1.1" or "5" (the MQTT protocol version)' }),
);

/**
 * How long an MQTT 5 broker keeps a session after its client went away (s): a week, so a controller that is off for a
 * weekend, or a cloud instance being redeployed, still finds its queued commands and events. In 3.1.1 `clean: false`
 * alone keeps the session for as long as the broker wants; in 5 it ends at disconnect unless this is set.
 */
export const SESSION_EXPIRY_S = 7 * 24 * 3600;

/** `version` as the protocol level of a CONNECT, in MQTT.js's terms (4 is 3.1.1). */
export function mqttProtocolVersion(version: MqttVersion): 4 | 5 {
  return version === '5' ? 5 : 4;
}

/**
 * The CONNECT options of a persistent session in `version`, in MQTT.js's terms. In 5 the session expiry joins the
 * other CONNECT `properties` given (the expiry is the session's own); in 3.1.1 there are none to set.
 */
export function persistentSessionOptions<P extends object>(
  version: MqttVersion,
  properties?: P,
): { protocolVersion: 4 | 5; clean: false; properties?: P & { sessionExpiryInterval: number } } {
  const protocolVersion = mqttProtocolVersion(version);
  if (version !== '5') return { protocolVersion, clean: false };
  return { protocolVersion, clean: false, properties: { ...(properties as P), sessionExpiryInterval: SESSION_EXPIRY_S } };
}

/**
 * Whether a SUBACK, PUBACK or CONNACK reason code is a refusal. In 3.1.1 a SUBACK says 0x80 for a refused
 * subscription; in 5 every code from 0x80 up is one (0x87 not authorized, 0x97 quota exceeded...), while 0x01 and 0x02
 * in a SUBACK are granted QoS and 0x10 in a PUBACK only says no one subscribes.
 */
export function isRefusalCode(code: number): boolean {
  return code >= 0x80;
}

/**
 * The filters of a SUBSCRIBE that its SUBACK refused, with their codes. `granted` is the SUBACK's list as MQTT.js gives
 * it (a number per filter, in order; anything else is taken as granted). MQTT.js fails the whole SUBSCRIBE when one is
 * refused, with the SUBACK on the error: both sides read the codes from there.
 */
export function refusedFilters(filters: readonly string[], granted: unknown): Array<{ filter: string; code: number }> {
  const codes: unknown[] = Array.isArray(granted) ? granted : [];
  return filters.flatMap((filter, i) => {
    const code = codes[i];
    return typeof code === 'number' && isRefusalCode(code) ? [{ filter, code }] : [];
  });
}
