export { KioskEngine, type KioskEngineOptions } from './engine.ts';
export * from './ports.ts';
export * from './view.ts';
export { DesiredStateCredentials } from './desired-credentials.ts';
export { LoginThrottle, DEFAULT_THROTTLE, type ThrottleConfig, type ThrottleGate } from './throttle.ts';
export { validateKioskTimers, parseKioskTimers, DEFAULT_KIOSK_TIMERS, type TimersValidation, type TimerProblem } from './timers.ts';
export { KioskError, type KioskErrorCode } from './errors.ts';
export { AudioAssistant, speechFor, type AudioAssistantOptions, type AudioEngineSource } from './audio/assistant.ts';
export { doorPortFromController, credentialPortFromOffline, type DoorControllerLike, type OfflineAccessLike } from './adapters.ts';
