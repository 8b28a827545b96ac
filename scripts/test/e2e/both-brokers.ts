// Each flow of flows/ runs in one test file (one process) on the brokers of broker.ts, one after the other: the
// cloud's embedded aedes, then a real Mosquitto (`onBothBrokers`), then, for the flows of remote open, kiosk pickup
// and outage, a three-node NATS cluster (`onEveryBroker`). One half alone: PORTIER_E2E_BROKER=embedded, =mosquitto
// or =nats.
import { extname } from 'node:path';
import tap, { type Test } from 'tap';
import { mosquittoMissing, type E2eBrokerMode } from './broker.ts';
import { natsMissing } from './nats-cluster.ts';

export const BROKER_ENV = 'PORTIER_E2E_BROKER';

const BROKERS: readonly E2eBrokerMode[] = ['embedded', 'mosquitto', 'nats'];
const HALF_NAME: Record<E2eBrokerMode, string> = { embedded: "on the cloud's embedded broker", mosquitto: 'on Mosquitto', nats: 'on a three-node NATS cluster' };
/** Why a half cannot run on this machine, or false. */
const MISSING: Record<E2eBrokerMode, string | false> = { embedded: false, mosquitto: mosquittoMissing, nats: natsMissing };

/** The brokers PORTIER_E2E_BROKER asks for: every one when unset, else the one named; any other value is refused. */
export function brokersOfRun(v: string | undefined = process.env[BROKER_ENV]): E2eBrokerMode[] {
  if (v === undefined || v === '') return [...BROKERS];
  const named = BROKERS.find((b) => b === v);
  if (named) return [named];
  throw new Error(`${BROKER_ENV} must be ${BROKERS.slice(0, -1).join(', ')} or ${BROKERS.at(-1)}, not ${JSON.stringify(v)}`);
}

// Set as each test of a flow starts: the half it belongs to, whichever instance of the flow module registered it.
let running: E2eBrokerMode = 'embedded';

/** The broker of the test running now: its half of `onBrokers`; `embedded` for a test outside a flow. */
export function e2eBroker(): E2eBrokerMode {
  return running;
}

/** The half each half's test stands for, to find a test's half by its place in the tree (`halfOf`). */
const halves = new WeakMap<object, E2eBrokerMode>();

/**
 * The half of `onBrokers` that `t` runs in, found from its ancestors rather than from the mode that chose the
 * broker: what a test checks the broker it ran on against. Undefined outside a flow.
 */
export function halfOf(t: Test): E2eBrokerMode | undefined {
  for (let at: object | undefined = t; at; at = (at as { parent?: object }).parent) {
    const broker = halves.get(at);
    if (broker) return broker;
  }
  return undefined;
}

type FlowBody = (t: Test) => unknown;

/** The tests each instance of a flow module registered (by its import.meta.url, the broker in its query). */
const registered = new Map<string, Array<{ name: string; body: FlowBody }>>();

/**
 * What a flow module of flows/ registers its tests on instead of tap's root: `const t = flowTests(import.meta.url)`.
 * Its tests run later as subtests of the half (`onBrokers`) that imported this instance of the module.
 */
export function flowTests(moduleUrl: string): { test(name: string, body: FlowBody): void } {
  const tests: Array<{ name: string; body: FlowBody }> = [];
  registered.set(moduleUrl, tests);
  return { test: (name, body) => void tests.push({ name, body }) };
}

/**
 * Runs the flow module `flow` (a path relative to `testFile`, the calling test file's import.meta.url) on each of
 * `brokers`, in that order: one test file, one process, every test and assertion of the flow on each. Each half
 * imports an instance of its own of the module (the broker as its URL's query), so no module state is shared between
 * the halves. A half is skipped, by name, where its broker is not installed.
 */
export function onBrokers(brokers: readonly E2eBrokerMode[], testFile: string, flow: string): void {
  const wanted = brokersOfRun();
  // The file's own extension: `.ts` run through tsx, `.js` in the compiled mirror (a computed import is not rewritten).
  const ext = extname(new URL(testFile).pathname);
  // A NATS half costs a file more than the two others together (a cluster's elections after an outage, each session
  // and subscription a replicated JetStream object): the file gets more than the suite's 120 s on a busy machine.
  if (brokers.includes('nats') && wanted.includes('nats') && !natsMissing) tap.setTimeout(300_000);
  for (const broker of brokers) {
    const skip = !wanted.includes(broker) ? `${BROKER_ENV}=${wanted.join()}` : MISSING[broker];
    tap.test(HALF_NAME[broker], { skip }, async (t) => {
      halves.set(t, broker);
      const url = new URL(flow.replace(/\.ts$/, ext), testFile);
      url.search = broker;
      await import(url.href);
      const tests = registered.get(url.href);
      if (!tests?.length) throw new Error(`${flow} registered no test through flowTests(import.meta.url)`);
      for (const { name, body } of tests)
        t.test(name, (t) => {
          running = broker;
          return body(t);
        });
    });
  }
}

/** `onBrokers` on the cloud's embedded broker, then on Mosquitto. */
export function onBothBrokers(testFile: string, flow: string): void {
  onBrokers(['embedded', 'mosquitto'], testFile, flow);
}

/** `onBrokers` on the cloud's embedded broker, then on Mosquitto, then on the NATS cluster. */
export function onEveryBroker(testFile: string, flow: string): void {
  onBrokers(BROKERS, testFile, flow);
}
