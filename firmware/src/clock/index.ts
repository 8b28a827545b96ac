export { CloudClock, INITIAL_CLOCK_STATE, clockStateSchema, type ClockState, type CloudClockOptions } from './cloud-clock.ts';
