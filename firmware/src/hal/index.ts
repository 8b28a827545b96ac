// The firmware's hardware seam: what a board, a simulator or a test implements to stand in for the hardware, and the
// adapters of real hardware that speak a wire protocol (KR-CU16 lock boards, serial line readers, espeak-ng audio).
// The simulator imports the firmware through this entry only (`@portier/firmware/hal`).
export type { DoorReading, BusHealth, BusHealthState, LockBus, LockBusEventMap } from './lock-bus.ts';
export { HalError, pulseNotSent, type HalErrorCode } from './errors.ts';
export type { AudioOut, AudioEventMap, SpeechLang } from './audio.ts';
export type { LineReader, LineReaderEventMap, SwitchInput, SwitchInputEventMap } from './inputs.ts';
export { DIGIT_KEYS, KEYPAD_KEYS, type DigitKey, type KeypadKey, type Keypad, type KeypadEventMap } from './keypad.ts';
export type { TouchEvent, TouchInput, TouchInputEventMap } from './touch.ts';
export type { DisplayView, KioskDisplay } from './display.ts';
export { PinMode, type IoPlugin, type IoPin, type PinModeValue } from './gpio/io-plugin.ts';
export * from './kerong-cu16/index.ts';
export { cu16DialectSchema } from './kerong-cu16/dialect.ts';
export { SerialLineReader, lineReaderPortFactory, type LinePort, type SerialLineReaderOptions } from './serial-line-reader.ts';
export { EspeakAudioOut, type EspeakAudioOptions } from './espeak-audio.ts';
