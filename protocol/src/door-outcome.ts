import { z } from 'zod';

/**
 * What a door did when the controller pulsed its lock, the one outcome type of the platform (door controller,
 * command acks, the kiosk, remote opens): `opened` (seen open), `already_open`, `jammed` (pulsed, never seen open),
 * `unknown` (bus silent, or the controller restarted mid-command). Never "pulse sent".
 */
export const DOOR_OUTCOMES = ['opened', 'already_open', 'jammed', 'unknown'] as const;
export const doorOutcomeSchema = z.enum(DOOR_OUTCOMES);
export type DoorOutcome = z.infer<typeof doorOutcomeSchema>;

/** Whether the door stands open for the person after the pulse (opened now, or it was already open). */
export function doorIsOpen(outcome: DoorOutcome | string): boolean {
  return outcome === 'opened' || outcome === 'already_open';
}
