// Mosquitto for the link tests, with a password file and an ACL file giving the same rules as the aedes test broker
// (DESIGN.md "Access control"). The cloud generates its own files for production; these are the test's own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../scripts/test/contracts/free-port.ts';
import { CLOUD_PUBLISHES, CONTROLLER_PUBLISHES, topicFor } from '@portier/protocol';
import { SERVICE_PASSWORD, SERVICE_USER, type TestBroker, type TestControllerIdentity } from './broker.ts';

export function mosquittoMissing(): string | undefined {
  for (const bin of ['mosquitto', 'mosquitto_passwd']) {
    const r = spawnSync('sh', ['-c', `command -v ${bin}`]);
    if (r.status !== 0) return `${bin} not installed (apt-get install -y mosquitto)`;
  }
  return undefined;
}


async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A test Mosquitto; `pid` is its process's while it runs (a test kills it by PID to make a node die). */
export async function startMosquitto(controllers: TestControllerIdentity[]): Promise<TestBroker & { pid(): number | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'portier-mosq-'));
  const passwd = join(dir, 'passwd');
  const acl = join(dir, 'acl');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(passwd, '');
  for (const [u, p] of [[SERVICE_USER, SERVICE_PASSWORD], ...controllers.map((c) => [c.controllerId, c.secret])] as Array<[string, string]>) {
    const r = spawnSync('mosquitto_passwd', ['-b', passwd, u, p]);
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr.toString()}`);
  }
  const lines = [`user ${SERVICE_USER}`, 'topic readwrite portier/#', ''];
  for (const c of controllers) {
    lines.push(`user ${c.controllerId}`);
    for (const ch of CONTROLLER_PUBLISHES) lines.push(`topic write ${topicFor(c.bankId, c.controllerId, ch)}`);
    for (const ch of CLOUD_PUBLISHES) lines.push(`topic read ${topicFor(c.bankId, c.controllerId, ch)}`);
    lines.push('');
  }
  writeFileSync(acl, lines.join('\n'));
  // Started as root, mosquitto drops to the `mosquitto` user, which must still read its files.
  chmodSync(dir, 0o755);
  chmodSync(passwd, 0o644);
  chmodSync(acl, 0o644);
  const port = await freePort();
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwd}`, `acl_file ${acl}`, 'persistence false', 'set_tcp_nodelay true', 'log_type none', ''].join('\n'),
  );
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port, 5000);
  }
  async function stop(): Promise<void> {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await exited;
  }
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    published: [],
    denied: [],
    stop,
    restart: start,
    running: () => !!child,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
