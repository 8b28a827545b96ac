/**
 * What the simulated hardware records for tests to read (bytes a board was sent, a door's pulses, what was spoken, the
 * pages shown, a column's events) is kept up to a limit: a simulator that runs for hours (the soaks, the demo) would
 * otherwise hold all of it, and its growth would read as the controller's.
 */
export const RECORDED_KEPT = 1000;

/** Appends `item` to `list`, dropping the oldest entries beyond the last `limit`. */
export function keepLast<T>(list: T[], item: T, limit: number = RECORDED_KEPT): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
