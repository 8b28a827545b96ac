// A fleet reconnecting at once while the embedded broker is busy: the kernel completes and holds every handshake
// until the broker accepts it, instead of dropping those beyond Node's default backlog (511), which the controllers
// would retry only after TCP's retransmission delays.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LISTEN_BACKLOG } from '../../src/mqtt/broker.ts';
import { broker, registry, tempDir } from './helpers/env.ts';

/** More than Node's default backlog, fewer than the file descriptors a process may hold by default (1,024). */
const FLEET = 700;

/** A process that opens FLEET connections to `port` once `go` exists, and writes how many completed to `count`. */
const FLEET_SCRIPT = `
const net = require('node:net');
const fs = require('node:fs');
const [port, go, count, n] = process.argv.slice(1);
const sockets = [];
let connected = 0;
const wait = setInterval(() => {
  if (!fs.existsSync(go)) return;
  clearInterval(wait);
  for (let i = 0; i < Number(n); i++) {
    const s = net.connect(Number(port), '127.0.0.1', () => fs.writeFileSync(count, String(++connected)));
    s.on('error', () => {});
    sockets.push(s);
  }
}, 5);
process.stdout.write('ready');
`;

t.test('every connection of a fleet arriving at once completes while the broker cannot accept yet', async (t) => {
  t.ok(LISTEN_BACKLOG > FLEET, 'the backlog holds the fleet');
  const dir = await tempDir(t);
  const { reg } = await registry(t);
  const brk = await broker(t, reg);
  const port = Number(new URL(brk.url).port);
  const go = join(dir, 'go');
  const count = join(dir, 'count');
  const fleet = spawn(process.execPath, ['-e', FLEET_SCRIPT, String(port), go, count, String(FLEET)], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => void fleet.kill('SIGKILL'));
  // Started and waiting for the signal: the busy wait below bounds the connections only, not a slow start.
  await new Promise<void>((resolve, reject) => {
    fleet.stdout.once('data', () => resolve());
    fleet.once('exit', (code) => reject(new Error(`the fleet process exited (${code})`)));
  });

  // The broker's process is busy (as when it starts, or checks a wave of secrets) from the moment the fleet connects:
  // nothing is accepted until it is done, so only the kernel's queue holds the handshakes.
  writeFileSync(go, '');
  const connected = (): number => (existsSync(count) ? Number(readFileSync(count, 'utf8') || 0) : 0);
  const bound = Date.now() + 10_000;
  let n = connected();
  while (n < FLEET && Date.now() < bound) n = connected();
  t.equal(n, FLEET, `all ${FLEET} handshakes completed before the broker accepted any`);
});
