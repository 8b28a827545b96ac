// What run.ts and its load-generator processes (controllers.ts) say to each other over IPC.

export interface ControllerSecret {
  id: string;
  bankId: string;
  secret: string;
}

export type FleetRequest =
  | { init: { url: string; publicKeyPem: string } }
  | { connect: { controllers: ControllerSecret[]; inFlight: number } }
  | { publish: { events: number } }
  | { replay: true }
  | { report: true }
  | { tally: true }
  | { stop: true };

export interface FleetTally {
  controllers: number;
  /** Connected now. */
  connected: number;
  sent: number;
  pubacked: number;
  /** Events covered by a verified evtack. */
  acked: number;
  /** Evtacks or commands that failed their signature check. */
  forged: number;
  /** resend-events commands answered. */
  resends: number;
  /** Controllers that sent their unacked events again (after a reconnect, or told acks stalled). */
  replays: number;
  publishErrors: number;
  /** Connections of connected controllers that closed since (MQTT.js reconnects them). */
  disconnects: number;
  /** Why connects, subscribes or connections failed, by message shape, with counts. */
  errors: string[];
  rssBytes: number;
}

export type FleetReport =
  | { ready: true }
  | { connected: { ok: number; failed: number } }
  | { publishing: true }
  | { replaying: true }
  | { report: FleetTally }
  | { tally: [id: string, pubacked: number, sent: number][] };
