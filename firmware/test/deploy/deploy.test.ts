// The kiosk screen's deployment files in firmware/deploy/: the systemd units pass `systemd-analyze verify` with
// nothing on stderr (against a temporary root holding the repository's own programs at their installed paths), the
// launcher refuses what is not a loopback page, waits for /healthz with a bound, and starts Chromium with a fresh
// profile, and the Chromium policy locks the browser to the screen's address. Every switch, feature and policy name
// is looked up in the installed Chromium, so a flag Chromium does not know cannot slip in; shellcheck reads the
// launcher when it is installed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

const FIRMWARE = fileURLToPath(new URL('../../', import.meta.url));
// The checkout itself, also when this file runs from the compiled mirror (scripts/build-tests.mjs).
const REPO = process.env['PORTIER_SOURCE_ROOT'] ?? join(FIRMWARE, '..');
const DEPLOY = join(FIRMWARE, 'deploy');
const LAUNCHER = join(DEPLOY, 'portier-kiosk-screen');
const CONTROLLER_BIN = join(FIRMWARE, 'bin', 'portier-controller.mjs');
// Where the units expect the repository's programs (firmware/deploy/README.md says where each file goes).
const INSTALLED_FROM_REPO: Record<string, string> = {
  '/usr/local/lib/portier/portier-kiosk-screen': LAUNCHER,
  '/usr/local/bin/portier-controller': CONTROLLER_BIN,
};
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const SYSTEM_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(join(d, 'sysinit.target')));
const CHROMIUM_BINARY = '/usr/lib/chromium/chromium';
const BASH = (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'bash')).find((p) => existsSync(p)) ?? '/bin/bash';

function tempDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---- systemd units ----

/** The program of every Exec line of a unit file (after systemd's prefixes such as `-` or `+`). */
function execPrograms(unitText: string): string[] {
  const out: string[] = [];
  for (const m of unitText.matchAll(/^Exec[A-Za-z]*=[ \t]*[-@:+!]*(\S+)/gm)) out.push(m[1]!);
  return out;
}

/** A temporary root: systemd's own units, ours, and each of our Exec programs at its path (the repository's file). */
function unitRoot(t: Test, dropIns: Record<string, string> = {}): string {
  const root = tempDir(t, 'portier-units-');
  mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
  // cp rather than fs.cpSync: a tenth of the time for these few hundred files.
  const cp = spawnSync('cp', ['-a', SYSTEM_UNITS!, join(root, 'usr/lib/systemd/system')], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cp of ${SYSTEM_UNITS}: ${cp.stderr}`);
  const etc = join(root, 'etc/systemd/system');
  mkdirSync(etc, { recursive: true });
  const texts: string[] = [];
  for (const name of readdirSync(DEPLOY).filter((n) => n.endsWith('.service'))) {
    copyFileSync(join(DEPLOY, name), join(etc, name));
    texts.push(readFileSync(join(DEPLOY, name), 'utf8'));
  }
  for (const [unit, file] of Object.entries(dropIns)) {
    mkdirSync(join(etc, `${unit}.d`), { recursive: true });
    copyFileSync(join(DEPLOY, file), join(etc, `${unit}.d`, 'override.conf'));
    texts.push(readFileSync(join(DEPLOY, file), 'utf8'));
  }
  for (const program of new Set(texts.flatMap(execPrograms))) {
    const at = join(root, program);
    mkdirSync(dirname(at), { recursive: true });
    const ours = INSTALLED_FROM_REPO[program];
    // The copy keeps the file's mode: a launcher that lost its executable bit fails the check, as it would installed.
    if (ours) copyFileSync(ours, at);
    else {
      // A program of another package (Debian's cage): only its presence matters to the check.
      writeFileSync(at, '#!/bin/sh\nexit 0\n');
      chmodSync(at, 0o755);
    }
  }
  return root;
}

/** `systemd-analyze verify` of `units` in `root` (its run is mostly waiting: several run side by side). */
function verify(root: string, units: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEMD_ANALYZE, ['verify', `--root=${root}`, ...units], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const noAnalyze = existsSync(SYSTEMD_ANALYZE) && SYSTEM_UNITS ? false : 'no systemd-analyze (Debian package systemd)';

t.test('systemd-analyze verify passes on every unit with nothing on stderr', { skip: noAnalyze }, async (t) => {
  const SCREEN = 'portier-kiosk-screen.service';
  const x11 = { [SCREEN]: 'portier-kiosk-screen-x11.conf' };
  // The check can fail: a key systemd does not know, and a launcher that is not executable, both reach stderr.
  const broken = unitRoot(t, x11);
  const unitPath = join(broken, 'etc/systemd/system', SCREEN);
  writeFileSync(unitPath, readFileSync(unitPath, 'utf8').replace('[Service]', '[Service]\nRestartSecs=3'));
  chmodSync(join(broken, 'usr/local/lib/portier/portier-kiosk-screen'), 0o644);

  const [both, withX11, faulty] = await Promise.all([
    verify(unitRoot(t), ['portier-controller.service', SCREEN]),
    verify(unitRoot(t, x11), [SCREEN]),
    verify(broken, [SCREEN]),
  ]);
  t.equal(both.stderr, '', 'portier-controller.service and portier-kiosk-screen.service (cage): nothing on stderr');
  t.equal(both.status, 0, 'exit 0');
  t.equal(withX11.stderr, '', 'portier-kiosk-screen.service with the X11 drop-in: nothing on stderr');
  t.equal(withX11.status, 0, 'exit 0');
  t.match(faulty.stderr, /Unknown key 'RestartSecs'/, 'an unknown key is reported');
  t.match(faulty.stderr, /portier-kiosk-screen is not executable/, 'a launcher without its executable bit is reported');
});

t.test('the units: restarts, ordering, the controller started as HARDWARE.md says', async (t) => {
  const screen = readFileSync(join(DEPLOY, 'portier-kiosk-screen.service'), 'utf8');
  const controller = readFileSync(join(DEPLOY, 'portier-controller.service'), 'utf8');
  for (const line of ['Restart=always', 'Wants=portier-controller.service', 'After=portier-controller.service', 'User=portier-kiosk', 'ExecStart=/usr/bin/cage -d -- /usr/local/lib/portier/portier-kiosk-screen']) {
    t.ok(screen.split('\n').includes(line), `screen unit: ${line}`);
  }
  t.match(screen, /^StartLimitBurst=\d+$/m, 'the screen gives up restarting a broken display instead of spinning');
  for (const line of ['ExecStart=/usr/local/bin/portier-controller run --config /etc/portier/controller.yaml', 'Restart=always', 'KillSignal=SIGTERM']) {
    t.ok(controller.split('\n').includes(line), `controller unit: ${line}`);
  }
  const hardware = readFileSync(join(FIRMWARE, 'HARDWARE.md'), 'utf8');
  t.ok(hardware.includes('portier-controller run --config /etc/portier/controller.yaml'), 'the same command as "Running it" in HARDWARE.md');
});

// ---- the launcher ----

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number | undefined;
}

/** Runs the launcher with `env` over a clean environment (no PORTIER_* of the caller's). */
function launch(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<Run> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PORTIER_') && k !== 'NODE_OPTIONS') base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(BASH, [LAUNCHER, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`launcher still running after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, pid: child.pid });
    });
  });
}

/** A stand-in for the controller's screen: /healthz answers 503 `unavailable` times, then 200 `ok`. */
async function healthServer(t: Test, host = '127.0.0.1', unavailable = 0): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    if (req.url !== '/healthz') res.writeHead(404).end();
    else if (requests.length <= unavailable) res.writeHead(503).end('starting');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, requests };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A Chromium stand-in that writes its process id and arguments to `out`, one per line. */
function fakeChromium(dir: string, out: string): string {
  const path = join(dir, 'fake-chromium');
  writeFileSync(path, `#!/bin/sh\necho $$ > '${out}'\nprintf '%s\\n' "$@" >> '${out}'\n`);
  chmodSync(path, 0o755);
  return path;
}

t.test('--help exits 0 and names every environment variable the launcher and the unit use', async (t) => {
  const r = await launch(['--help'], {});
  t.equal(r.code, 0);
  const script = readFileSync(LAUNCHER, 'utf8');
  const unit = readFileSync(join(DEPLOY, 'portier-kiosk-screen.service'), 'utf8');
  const names = new Set([...script.matchAll(/\$\{?(PORTIER_[A-Z_]+|XDG_RUNTIME_DIR)/g), ...unit.matchAll(/Environment=(PORTIER_[A-Z_]+)=/g)].map((m) => m[1]!));
  t.ok(names.size >= 6, `found the variables: ${[...names].join(' ')}`);
  for (const name of names) t.ok(r.stdout.includes(name), `--help names ${name}`);
  t.match(r.stdout, /--print-command/);
  const wrong = await launch(['--kiosk-please'], {});
  t.equal(wrong.code, 2, 'an unknown argument: exit 2');
  t.match(wrong.stderr, /unknown argument --kiosk-please/);
});

t.test('a page that is not http on a loopback host is refused with exit 2, before anything starts', async (t) => {
  const dir = tempDir(t, 'portier-kiosk-refuse-');
  const out = join(dir, 'started');
  const chromium = fakeChromium(dir, out);
  const urls = [
    'http://example.com/',
    'https://127.0.0.1:8765/',
    'http://127.0.0.1.example.com/',
    'http://kiosk@127.0.0.1:8765/',
    'http://127.0.0.1:8765@example.com/',
    'http://127.0.0.1:8765/?next=http://example.com/',
    'http://127.0.0.1:99999/',
    'http://127.0.0.1:8765/screen.html',
    'file:///etc/passwd',
  ];
  const runs = await Promise.all(urls.map((url) => launch([], { PORTIER_KIOSK_URL: url, PORTIER_CHROMIUM: chromium, PORTIER_KIOSK_WAIT_S: '1' })));
  for (const [i, r] of runs.entries()) {
    t.equal(r.code, 2, `${urls[i]}: exit 2`);
    t.match(r.stderr, /PORTIER_KIOSK_URL/, `${urls[i]}: the message names PORTIER_KIOSK_URL`);
  }
  t.notOk(existsSync(out), 'Chromium was never started');
  const badWait = await launch(['--print-command'], { PORTIER_KIOSK_WAIT_S: 'soon', PORTIER_CHROMIUM: chromium });
  t.equal(badWait.code, 2, 'a wait that is not a number: exit 2');
  t.match(badWait.stderr, /PORTIER_KIOSK_WAIT_S/);
  const home = join(dir, 'data');
  mkdirSync(home);
  const badProfile = await launch([], { PORTIER_KIOSK_PROFILE_DIR: home, PORTIER_CHROMIUM: chromium, PORTIER_KIOSK_URL: 'http://127.0.0.1:1/' });
  t.equal(badProfile.code, 2, 'a profile folder not named portier-kiosk*: exit 2');
  t.match(badProfile.stderr, /PORTIER_KIOSK_PROFILE_DIR/);
  t.ok(existsSync(home), 'and it is not deleted');
});

t.test('--print-command waits for /healthz and prints Chromium in kiosk mode on the page', async (t) => {
  const dir = tempDir(t, 'portier-kiosk-print-');
  const chromium = fakeChromium(dir, join(dir, 'started'));
  const screen = await healthServer(t);
  const r = await launch(['--print-command'], { PORTIER_KIOSK_URL: screen.url, PORTIER_CHROMIUM: chromium });
  t.equal(r.code, 0, r.stderr);
  const words = r.stdout.trim().split(' ');
  t.equal(words[0], chromium, 'the Chromium of PORTIER_CHROMIUM');
  t.equal(words.at(-1), screen.url, 'the page last');
  for (const flag of ['--kiosk', '--incognito', '--noerrdialogs', '--no-first-run', '--disable-pinch', '--overscroll-history-navigation=0', '--touch-events=enabled', '--password-store=basic']) {
    t.ok(words.includes(flag), flag);
  }
  t.ok(words.some((w) => w.startsWith('--user-data-dir=')), 'a profile of its own');
  t.ok(screen.requests.some((q) => q.url === '/healthz'), 'the page was asked /healthz');
  t.notOk(existsSync(join(dir, 'started')), 'a dry run starts nothing');

  const noSlash = screen.url.slice(0, -1);
  const viaEnv = await launch([], { PORTIER_KIOSK_URL: noSlash, PORTIER_CHROMIUM: chromium, PORTIER_KIOSK_DRY_RUN: '1', PORTIER_KIOSK_EXTRA_FLAGS: '--force-device-scale-factor=1.5' });
  t.equal(viaEnv.code, 0, 'PORTIER_KIOSK_DRY_RUN=1 does the same');
  t.ok(viaEnv.stdout.endsWith(` --force-device-scale-factor=1.5 ${screen.url}\n`), `extra flags go before the page, and ${noSlash} gets its /`);
  const badFlag = await launch(['--print-command'], { PORTIER_KIOSK_URL: screen.url, PORTIER_CHROMIUM: chromium, PORTIER_KIOSK_EXTRA_FLAGS: '--ok; rm -rf /' });
  t.equal(badFlag.code, 2, 'an extra flag that is not --name[=value]: exit 2');
  t.match(badFlag.stderr, /PORTIER_KIOSK_EXTRA_FLAGS: '--ok;' is not a --name or --name=value flag/);
});

/** A folder of links to the only programs the launcher runs besides bash builtins and Chromium: a PATH without curl. */
function pathWithoutCurl(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['sleep', 'rm', 'mkdir']) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, name)).find((p) => existsSync(p));
    if (found) symlinkSync(found, join(bin, name));
  }
  return bin;
}

t.test('the wait (curl, or bash alone without it): asks again while the page is starting, gives up after PORTIER_KIOSK_WAIT_S', async (t) => {
  const dir = tempDir(t, 'portier-kiosk-wait-');
  const chromium = fakeChromium(dir, join(dir, 'started'));
  const noCurl = { PATH: pathWithoutCurl(dir) };
  const starting = await healthServer(t, '127.0.0.1', 1);
  // A machine (or container) without IPv6 on loopback checks the same wait over IPv4.
  const startingV6 = await healthServer(t, '::1', 1).catch(() => healthServer(t, '127.0.0.1', 1));
  const ready = await healthServer(t, 'localhost');
  const port = await closedPort();
  const wait = (url: string, waitS: string, env: Record<string, string> = {}): Promise<Run> =>
    launch(['--print-command'], { ...env, PORTIER_KIOSK_URL: url, PORTIER_CHROMIUM: chromium, PORTIER_KIOSK_WAIT_S: waitS });
  // Side by side: each takes about a second of waiting.
  const [late, never, lateBash, readyBash, neverBash] = await Promise.all([
    wait(starting.url, '10'),
    wait(`http://127.0.0.1:${port}/`, '1'),
    wait(startingV6.url, '10', noCurl),
    wait(ready.url, '10', noCurl),
    wait(`http://localhost:${port}/`, '1', noCurl),
  ]);

  t.equal(late.code, 0, 'a 503 first, then ok: it goes on');
  t.equal(starting.requests.length, 2, 'asked again after the 503');
  t.match(late.stderr, /waiting up to 10 s for http:\/\/127\.0\.0\.1:\d+\/healthz/, 'says what it waits for');
  t.equal(never.code, 1, 'nothing answers: exit 1');
  t.match(never.stderr, new RegExp(`http://127\\.0\\.0\\.1:${port}/healthz did not answer within 1 s \\(PORTIER_KIOSK_WAIT_S\\)`), 'a clear message');
  t.equal(never.stdout, '', 'and printed no command');

  t.equal(lateBash.code, 0, `without curl, ${startingV6.url}: a 503 first, then ok (${lateBash.stderr})`);
  t.equal(startingV6.requests.length, 2, 'without curl: asked again after the 503');
  t.equal(readyBash.code, 0, `without curl, localhost: ${readyBash.stderr}`);
  for (const r of [...startingV6.requests, ...ready.requests]) t.equal(r.headers['user-agent'], undefined, 'asked by bash, not curl');
  t.equal(neverBash.code, 1, 'without curl, nothing answers: exit 1');
});

t.test('Chromium replaces the launcher, with a fresh 0700 profile every start', async (t) => {
  const dir = tempDir(t, 'portier-kiosk-exec-');
  const out = join(dir, 'started');
  const chromium = fakeChromium(dir, out);
  const profile = join(dir, 'portier-kiosk-profile');
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), '{"exit_type":"Crashed"}');
  const screen = await healthServer(t);
  const r = await launch([], { PORTIER_KIOSK_URL: screen.url, PORTIER_CHROMIUM: chromium, PORTIER_KIOSK_PROFILE_DIR: profile });
  t.equal(r.code, 0, r.stderr);
  const [pid, ...args] = readFileSync(out, 'utf8').trim().split('\n');
  t.equal(Number(pid), r.pid, 'exec: Chromium runs as the launcher process itself');
  t.ok(args.includes('--kiosk'));
  t.ok(args.includes(`--user-data-dir=${profile}`), 'the configured profile');
  t.equal(args.at(-1), screen.url);
  t.same(readdirSync(profile), [], "the previous run's profile (a crash marker) is gone");
  t.equal(statSync(profile).mode & 0o777, 0o700, 'mode 0700');
});

// ---- the policy, and names Chromium knows ----

t.test('the policy is JSON that locks the browser to the loopback screen address', async (t) => {
  const policy = JSON.parse(readFileSync(join(DEPLOY, 'chromium-policy.json'), 'utf8')) as Record<string, unknown>;
  t.same(policy['URLBlocklist'], ['*'], 'every address blocked...');
  const allow = policy['URLAllowlist'] as string[];
  t.ok(allow.includes('http://127.0.0.1:8765'), '...but the screen address (kiosk.screen default)');
  t.ok(allow.includes('about:blank'));
  t.ok(allow.every((u) => /^(?:http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost):8765|about:blank)$/.test(u)), `nothing but loopback on the screen port: ${allow.join(' ')}`);
  const unitUrl = /^Environment=PORTIER_KIOSK_URL=(\S+)$/m.exec(readFileSync(join(DEPLOY, 'portier-kiosk-screen.service'), 'utf8'))?.[1];
  t.equal(unitUrl, 'http://127.0.0.1:8765/', 'the unit shows the same address');
  t.match(readFileSync(LAUNCHER, 'utf8'), /DEFAULT_URL='http:\/\/127\.0\.0\.1:8765\/'/, 'and the launcher defaults to it');
  t.equal(policy['DeveloperToolsAvailability'], 2, 'no developer tools');
  t.equal(policy['DownloadRestrictions'], 3, 'no downloads');
  t.equal(policy['IncognitoModeAvailability'], 2, 'incognito only, as the launcher starts it');
  t.equal(policy['PrintingEnabled'], false, 'no printing');
});

t.test('every flag, feature and policy name is known to the installed Chromium', { skip: existsSync(CHROMIUM_BINARY) ? false : `no ${CHROMIUM_BINARY} (Debian package chromium)` }, async (t) => {
  const dir = tempDir(t, 'portier-kiosk-names-');
  const screen = await healthServer(t);
  const r = await launch(['--print-command'], { PORTIER_KIOSK_URL: screen.url, PORTIER_CHROMIUM: fakeChromium(dir, join(dir, 'started')) });
  t.equal(r.code, 0, r.stderr);
  const flags = r.stdout.trim().split(' ').filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=')[0]!);
  const features = /--disable-features=(\S+)/.exec(r.stdout)?.[1]?.split(',') ?? [];
  const policies = Object.keys(JSON.parse(readFileSync(join(DEPLOY, 'chromium-policy.json'), 'utf8')) as object);
  t.ok(flags.length >= 15 && features.length >= 3 && policies.length >= 20, 'found what to look up');
  // Chromium's switch, feature and policy names are NUL-terminated strings in its binary; a feature declared with
  // the short BASE_FEATURE form appears as its identifier, `k` and the name.
  // `disable-translate` was a switch once and is not in this Chromium: the canary that the look-up can say no.
  const wanted = [...flags, ...features, ...features.map((f) => `k${f}`), ...policies, 'disable-translate'];
  const listFile = join(dir, 'names');
  writeFileSync(listFile, `${wanted.join('\n')}\n`);
  const grep = spawnSync('grep', ['-a', '-z', '-x', '-F', '-f', listFile, CHROMIUM_BINARY], { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 24, timeout: 60_000 });
  const known = new Set(grep.stdout.toString('latin1').split('\0'));
  for (const flag of flags) t.ok(known.has(flag), `--${flag} is a Chromium switch`);
  for (const feature of features) t.ok(known.has(feature) || known.has(`k${feature}`), `${feature} is a Chromium feature`);
  for (const name of policies) t.ok(known.has(name), `${name} is a Chromium policy`);
  t.notOk(known.has('disable-translate'), 'a removed switch is not found');
});

const SHELLCHECK = '/usr/bin/shellcheck';
t.test('shellcheck finds nothing in the launcher', { skip: existsSync(SHELLCHECK) ? false : 'no shellcheck (Debian package shellcheck)' }, async (t) => {
  const r = spawnSync(SHELLCHECK, [LAUNCHER], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.stdout, '', 'no findings');
  t.equal(r.status, 0);
});

t.test('the launcher is executable in git', { skip: existsSync(join(REPO, '.git')) ? false : 'not a git checkout' }, async (t) => {
  const r = spawnSync('git', ['ls-files', '-s', 'firmware/deploy/portier-kiosk-screen'], { cwd: REPO, encoding: 'utf8' });
  t.match(r.stdout, /^100755 /, `git mode: ${r.stdout.trim()}`);
});
