/**
 * Topic access, exactly as DESIGN.md "MQTT contract" says, as pure functions the embedded broker calls and the
 * Mosquitto ACL generator mirrors:
 * - a controller publishes only its own `ack`, `evt`, `reported`, `status` and subscribes only to its own `cmd`,
 *   `evtack`, `desired` (its bank and controller id come from its identity, never from the client); no wildcards;
 * - a service account has the rest of `portier/v1/#`;
 * - nobody publishes or subscribes outside `portier/v1/` (no `$SYS`, no shared subscriptions).
 */
import { CLOUD_PUBLISHES, CONTROLLER_PUBLISHES, PROTOCOL_VERSION, TOPIC_ROOT, tryParseTopic } from '@portier/protocol';
import type { BrokerIdentity } from './identities.ts';

export const TREE_PREFIX = `${TOPIC_ROOT}/${PROTOCOL_VERSION}/`;

function hasWildcard(topic: string): boolean {
  return topic.includes('+') || topic.includes('#');
}

function underTree(topic: string): boolean {
  return topic.startsWith(TREE_PREFIX) && topic.length > TREE_PREFIX.length && !topic.includes('\u0000');
}

/** May `who` publish on `topic` (a concrete topic, wildcards are never valid in a publish)? */
export function canPublish(who: BrokerIdentity, topic: string): boolean {
  if (hasWildcard(topic) || !underTree(topic)) return false;
  if (who.kind === 'service') return true;
  const t = tryParseTopic(topic);
  return t !== undefined && t.bankId === who.bankId && t.controllerId === who.controllerId && CONTROLLER_PUBLISHES.includes(t.channel);
}

/** May `who` subscribe to `filter`? Controllers only to their own three concrete topics. */
export function canSubscribe(who: BrokerIdentity, filter: string): boolean {
  if (!underTree(filter)) return false;
  if (who.kind === 'service') {
    // A wildcard may only stand as a whole level (MQTT itself requires this; checked so `a+b` never slips through).
    return filter.split('/').every((level) => !hasWildcard(level) || level === '+' || level === '#') && !/#./.test(filter);
  }
  if (hasWildcard(filter)) return false;
  const t = tryParseTopic(filter);
  return t !== undefined && t.bankId === who.bankId && t.controllerId === who.controllerId && CLOUD_PUBLISHES.includes(t.channel);
}
