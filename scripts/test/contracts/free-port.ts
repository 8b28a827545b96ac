// A loopback port for a server that a test (or a script) starts as a child process, whichever workspace it tests; the
// child binds it a moment later. A port from listen(0) comes out of the kernel's ephemeral range, where every outgoing
// connection of this machine (to PostgreSQL, to a broker, between NATS nodes) also takes its local port: under load one of them took a chosen port
// before the child bound it, and the child failed with "address in use". These ports come from just below that range,
// which neither connect() nor listen(0) hands out, and each is checked free on 127.0.0.1 when chosen.
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** How many ports below the ephemeral range the choice is made from. */
const SPAN = 10_000;

/** The first port of the ephemeral range (net.ipv4.ip_local_port_range), or undefined where it cannot be read. */
function ephemeralStart(): number | undefined {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 1024 + 1000 ? first : undefined;
  } catch {
    return undefined;
  }
}

const below = ephemeralStart();
/** Ports this process has handed out: never twice, even once the first server using one has stopped. */
const given = new Set<number>();

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => {
      const bound = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(bound));
    });
  });
}

/** A free loopback port, chosen below the ephemeral range where the machine has one (else any free port). */
export async function freePort(): Promise<number> {
  if (below !== undefined) {
    const low = Math.max(1025, below - SPAN);
    for (let attempt = 0; attempt < 200; attempt++) {
      const port = low + Math.floor(Math.random() * (below - low));
      if (given.has(port)) continue;
      if ((await listenOn(port)) === port) {
        given.add(port);
        return port;
      }
    }
  }
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}
