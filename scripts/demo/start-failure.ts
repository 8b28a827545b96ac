// What the person who typed `make demo` reads when it cannot start: the cause and what to do about it, on the
// terminal (make itself only says "Error 1").

export interface DemoPorts {
  httpPort: number;
  mqttPort: number;
  screenPort: number;
  /** Where the full log is, when it goes to a file. */
  logFile?: string | undefined;
}

/** The variables that move the demo's ports, with their defaults (README's "make demo" section lists them too). */
export const DEMO_PORT_VARIABLES = { http: 'PORTIER_DEMO_HTTP_PORT', mqtt: 'PORTIER_DEMO_MQTT_PORT', screen: 'PORTIER_DEMO_SCREEN_PORT' } as const;

function field(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/** A few lines naming the cause of a failed start and the fix. */
export function startFailure(err: unknown, ports: DemoPorts): string {
  const code = field(err, 'code');
  const message = err instanceof Error ? err.message : String(err);
  const lines: string[] = [];
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const port = Number(field(err, 'port') ?? /:(\d+)\b/.exec(message)?.[1]);
    const which = port === ports.httpPort ? 'http' : port === ports.mqttPort ? 'mqtt' : port === ports.screenPort ? 'screen' : undefined;
    const what = { mqtt: 'the MQTT broker', http: 'the HTTP API', screen: 'the kiosk screen' }[which ?? 'http'];
    const variable = DEMO_PORT_VARIABLES[which ?? 'http'];
    const suggestion = Number.isInteger(port) && port > 0 ? port + 1 : 8081;
    lines.push(
      code === 'EADDRINUSE'
        ? `The demo could not start: port ${port} (${what}) is already in use by another program.`
        : `The demo could not start: this user may not listen on port ${port} (${what}).`,
      `Stop that program (e.g. a demo still running: \`ss -ltnp | grep :${port}\` shows it), or choose another port:`,
      `  ${variable}=${suggestion} make demo`,
      `Ports: ${DEMO_PORT_VARIABLES.http} (default 8080) for the HTTP API, ${DEMO_PORT_VARIABLES.mqtt} (default 1883) for the MQTT broker, ` +
        `${DEMO_PORT_VARIABLES.screen} (default 8765) for the kiosk screen; 0 picks a free one.`,
    );
  } else {
    lines.push(`The demo could not start: ${message}`);
  }
  if (ports.logFile) lines.push(`The full log is in ${ports.logFile}.`);
  return lines.join('\n');
}
