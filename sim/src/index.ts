// The simulator's public face: virtual hardware that stands in for the real thing below the firmware's HAL (doors,
// KR-CU16 lock boards, GPIO and Firmata boards, serial readers, the kiosk's display, keypad and touch layer, audio),
// the ptys that put it behind real ttys, the `portier-sim column` command, and the bounded waiters tests use.
export { VirtualDoor, defaultBehaviour, type DoorBehaviour, type EnergisedInterval, type VirtualDoorEventMap } from './door.ts';
export {
  VirtualCu16Board,
  VirtualCu16BoardSet,
  defaultDialect,
  mulberry32,
  noFaults,
  type Cu16BoardFaults,
  type Cu16BoardSetEventMap,
  type Cu16BoardSetOptions,
  type VirtualCu16BoardOptions,
} from './cu16/boards.ts';
export { createMockCu16Transport, attachCu16ToStream, type Cu16Link, type MockCu16Transport } from './cu16/transports.ts';
export * from './gpio/index.ts';
export { keepLast, RECORDED_KEPT } from './recording.ts';
export { RecordingAudioOut, type AudioRecord, type RecordingAudioOptions } from './audio/recording-audio.ts';
export { VirtualLineReader, VirtualSwitch } from './inputs/virtual-inputs.ts';
export { MockSerialScanner } from './inputs/serial-scanner.ts';
export { VirtualKeypad, VirtualTouch, RecordingDisplay } from './panel/virtual-panel.ts';
export { TerminalPanel, renderScreen, TERMINAL_HELP, type TerminalPanelOptions, type TerminalAudio } from './panel/terminal-panel.ts';
export { startCu16OnPty, type Cu16OnPty } from './pty/cu16-pty.ts';
export { createPtyPair, socatAvailable, PtyError, type PtyPair, type PtyPairOptions } from './pty/socat.ts';
export { readConfigDocument, zodProblems, type ConfigProblem } from './config-file.ts';
export { ConfigError, columnConfigSchema, doorBehaviourSchema, loadColumnConfig, validateColumnConfig, type ColumnConfig } from './cli/column-config.ts';
export { buildColumn, runColumn, registerColumnCommand, type RunningColumn } from './cli/column.ts';
export { entryArgs } from './child-entry.ts';
export { expectCondition, expectEvent, expectNoEvent, expectValue, ExpectTimeoutError, type Emitterish, type ExpectOptions } from './expect.ts';
