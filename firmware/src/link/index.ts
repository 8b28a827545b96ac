export * from './controller-link.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { judgeCommand, type GateContext, type GateVerdict } from './command-gate.ts';
export { CommandStore, type PendingCommand } from './command-store.ts';
export { Outbox } from './outbox.ts';
