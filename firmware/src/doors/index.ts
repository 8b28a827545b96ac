export {
  DoorController,
  HARD_MAX_PULSE_MS,
  type DoorControllerEventMap,
  type DoorControllerOptions,
  type DoorState,
  type DoorStatus,
  type UnlockOutcome,
  type UnlockOptions,
  type UnlockResult,
} from './door-controller.ts';
export { DoorMemory, type DoorMemoryPort, type RememberedDoor } from './door-memory.ts';
export { PulseBudget } from './pulse-budget.ts';
export { DoorError, type DoorErrorCode } from './errors.ts';
export { installSafeExit, type SafeExitOptions } from './safe-exit.ts';
