export type { DoorReading, BusHealth, BusHealthState, LockBus, LockBusEventMap } from './lock-bus.ts';
export { HalError, pulseNotSent, type HalErrorCode } from './errors.ts';
export type { AudioOut, AudioEventMap, SpeechLang } from './audio.ts';
export type { LineReader, LineReaderEventMap, SwitchInput, SwitchInputEventMap } from './inputs.ts';
