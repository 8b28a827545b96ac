export { KioskEngine, type KioskEngineOptions } from './engine.ts';
export * from './ports.ts';
export * from './view.ts';
export { DesiredStateCredentials } from './desired-credentials.ts';
export { LoginThrottle, DEFAULT_THROTTLE, type ThrottleConfig, type ThrottleGate } from './throttle.ts';
export { validateKioskTimers, parseKioskTimers, DEFAULT_KIOSK_TIMERS, type TimersValidation, type TimerProblem } from './timers.ts';
export { KioskError, type KioskErrorCode } from './errors.ts';
export { AudioAssistant, speechFor, type AudioAssistantOptions, type AudioEngineSource } from './audio/assistant.ts';
export {
  doorPortFromController,
  credentialPortFromOffline,
  statePortFromLink,
  createControllerKiosk,
  type DoorControllerLike,
  type OfflineAccessLike,
  type LinkLike,
  type ControllerKioskParts,
  type ControllerKiosk,
} from './adapters.ts';
export { attachKioskInputs, type KioskInputs, type InputTarget } from './inputs.ts';
export { fileKioskMemory, kioskMemorySchema, type KioskMemory, type KioskMemoryPort } from './memory.ts';
export { RemoteDoors, bankDoorPort, REMOTE_OPEN_WAIT_MS, type RemoteDoorsOptions } from './remote-doors.ts';
