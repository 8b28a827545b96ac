/**
 * `startCloud`: the whole cloud as one system, its one composition root (`portier-cloud serve` runs it).
 *
 * Start order: store -> LockerService -> auth (+ configured admin) -> identity registry and command key -> MQTT
 * broker (embedded aedes, or an external one by URL) -> event journal -> sync link (built, not yet connected) ->
 * bridge (door map, event ingest replaying what the domain missed, desired-state publisher) -> link connects ->
 * desired states published -> RemoteOpen + HTTP API with the remote-open route -> periodic expiry.
 * Stop order is the reverse, so nothing is written after the store closes: HTTP stops taking requests, expiry
 * stops, RemoteOpen stops listening, the publisher finishes its rebuild, the link leaves the broker, ingest applies
 * what it received and saves its marks, the journal closes, the broker closes, the store flushes and closes.
 *
 * Data folder layout (beside `portier-data.json`, its format: data-folder/data-folder.ts; `store/` unless the store is in
 * PostgreSQL (open-store.ts), and `tokens.json`): `mqtt/` (identities, the service account's
 * secret), `keys/` (command key), `sync/events/` (event journal), `sync/desired/` (last desired state per
 * controller), `bridge/` (ingest marks).
 */
import { sessionClientId } from '@portier/protocol';
import { pino, type Logger } from 'pino';
import type { AuthService } from '../auth/service.ts';
import { enterpriseForFirstAdmin } from '../auth/bootstrap.ts';
import type { AccountMail } from '../auth/account-mail.ts';
import type { Actor } from '../domain/model.ts';
import { PasswordLinks } from '../auth/password-links.ts';
import { ConfigError, validateConfig, type CloudConfig, type CloudConfigInput } from '../config/config.ts';
import { LockerService } from '../domain/service.ts';
import { retryAfterCatchUp } from '../domain/catch-up-retry.ts';
import { buildServer, type App } from '../http/server.ts';
import { startBroker, type EmbeddedBroker } from '../mqtt/broker.ts';
import { IdentityRegistry } from '../mqtt/identities.ts';
import { watchIdentities } from '../mqtt/identity-watch.ts';
import type { SecretHashParams } from '../mqtt/secrets.ts';
import { loadOrCreateCommandKey } from '../provision/keys.ts';
import type { CodeVault } from '../domain/code-vault.ts';
import type { CredentialKeyStore } from '../provision/credential-keys.ts';
import { ensureServiceAccount } from '../provision/provision.ts';
import { sharedBrokerAccount, type BrokerOption } from './broker-option.ts';
import { openDataFolder } from '../data-folder/data-folder.ts';
import type { Store } from '../store/store.ts';
import { CloudLink } from '../sync/cloud-link.ts';
import type { EventLog } from '../sync/event-log.ts';
import { RemoteOpen } from '../sync/remote-open.ts';
import { kioskListingView } from '../bridge/desired-builder.ts';
import { DesiredPublisher } from '../bridge/desired-publisher.ts';
import { DomainDoorMap, remoteOpenAudit } from '../bridge/door-map.ts';
import { EventIngest, type IssuedPickupCode } from '../bridge/event-ingest.ts';
import { recordSequenceAlerts } from '../bridge/sequence-alerts.ts';
import { KioskRelay } from '../bridge/kiosk-relay.ts';
import { WebhookNotifier } from '../notify/webhook.ts';
import { credentialForms, openCredentialSecrets, warnLegacyCredentials } from './credential-secrets.ts';
import { retireDeletedColumns, type RetiredColumn } from '../provision/retire-column.ts';
import { startSftpImports, type SftpImports, type SftpImportsOptions } from '../sftp/start.ts';
import { createMail, type MailSystem } from '../mail/start.ts';
import { openStore } from './open-store.ts';
import { controllerOwnership } from './controller-ownership.ts';
import { PendingOpens } from '../sync/pending-opens.ts';
import { JobLeases, soleJobs } from '../store/job-leases.ts';
import { OUTBOX_LEASE } from '../mail/outbox.ts';
import { makeAuth, readHttpTls, runtimePaths } from './shared.ts';

// The one-shot commands (init-admin, unlock) import these from shared.ts, without the servers; other code from here.
export { makeAuth, runtimePaths };
export { brokerOption, type BrokerOption, type MqttSettings } from './broker-option.ts';

export interface StartCloudOptions {
  /** The `portier-cloud` configuration (parsed again here: a raw input is fine). */
  config: CloudConfig | CloudConfigInput;
  logger?: Logger;
  /** Default: embedded on 127.0.0.1:1883. */
  broker?: BrokerOption;
  /** Cloud time (tests). */
  now?: () => number;
  /** scrypt cost of pickup/carrier code hashes (default 16384; tests lower it). */
  codeHashN?: number;
  /** scrypt cost of broker secrets (tests lower it). */
  identityHashParams?: SecretHashParams;
  remoteOpen?: { defaultTimeoutMs?: number; maxTimeoutMs?: number; ackGraceMs?: number; pulseMs?: number };
  /** The kiosk's requests to open doors of other columns (kiosk-relay.ts). */
  kioskRelay?: { maxAgeMs?: number; openTimeoutMs?: number; resultTtlMs?: number };
  desired?: { debounceMs?: number; refreshMs?: number };
  /** How long start waits for an external broker before going on (the link keeps retrying). Default 10 s. */
  brokerWaitMs?: number;
  /**
   * Who hears of pickup codes issued for kiosk drop-offs, instead of the configured webhook (the demo prints them).
   * Without either, each such code is logged as undelivered (never the code itself).
   */
  onPickupCode?: (issued: IssuedPickupCode) => void;
  /** Hears of each deleted column whose controller was revoked and its retained desired state cleared (tests). */
  onColumnRetired?: (r: RetiredColumn) => void;
  /** The scheduled SFTP imports' instance id and timers (tests). */
  sftp?: SftpImportsOptions;
  /** Where welcome and password-reset e-mails go; default: each is logged as not sent (never its link). */
  accountMail?: AccountMail;
  /** This instance's id as the e-mail sender's lease holder (tests). */
  mailInstanceId?: string;
  /** Lease lifetime and renewal of the banks' ownership and of the once-only jobs between instances on one database (tests). */
  bankLeases?: { ttlMs?: number; renewMs?: number };
}

export interface CloudRuntime {
  /** `http://host:port` actually bound; the API is under `/api/v1`. */
  httpUrl: string;
  /** The broker URL controllers connect to. */
  mqttUrl: string;
  /** Whose broker that is: `embedded`, this process's own aedes; `external`, one run apart (Mosquitto). */
  brokerKind: BrokerOption['kind'];
  service: LockerService;
  auth: AuthService;
  /** Welcome and password-reset links (auth/password-links.ts). */
  passwordLinks: PasswordLinks;
  identities: IdentityRegistry;
  link: CloudLink;
  journal: EventLog;
  ingest: EventIngest;
  publisher: DesiredPublisher;
  remoteOpen: RemoteOpen;
  /** Opens doors of other columns for the bank's kiosk, on its signed-in users' behalf. */
  kioskRelay: KioskRelay;
  doorMap: DomainDoorMap;
  /** Controllers' credential keys (provision and rekey while the cloud runs pass them on). */
  credentialKeys: CredentialKeyStore;
  /** The vault of the secrets key: seals codes and credential keys (domain/code-vault.ts). */
  vault: CodeVault;
  /**
   * The address books' SFTP imports: `runner` runs one and emits `run-failed` (with the alert recorded in the activity
   * log) for notifications to subscribe to; `scheduler` runs them on their schedules.
   */
  sftp: SftpImports;
  /** E-mail: the outbox (absent without a `mail` section) and the account messages' seam (`accountMail`). */
  mail: MailSystem;
  /** The cloud's command public key (PEM), what controllers verify with. */
  commandPublicKeyPem: string;
  dataDir: string;
  /** Ordered, clean stop; idempotent. */
  stop(): Promise<void>;
  // The same fields as serve.ts's RunningCloud, so `portier-cloud serve` can hand this to main.ts unchanged.
  /** The one HTTP server: every route of the API, remote open included, behind the one access table. */
  app: App;
  /** The file store of the data folder, or the PostgreSQL store, as the config's `store` section says. */
  store: Store;
  /** = httpUrl. */
  url: string;
  /** = stop(). */
  close(): Promise<void>;
}

function parseConfig(input: CloudConfig | CloudConfigInput): CloudConfig {
  const r = validateConfig(input);
  if (!r.ok) throw new ConfigError(r.problems);
  return r.config;
}

/** Resolves 'timeout' after `ms`. `keepAlive`: hold the event loop open meanwhile (waits that must end). */
function timeout(ms: number, keepAlive = false): Promise<'timeout'> {
  return new Promise((r) => {
    const timer = setTimeout(() => r('timeout'), ms);
    if (!keepAlive) timer.unref();
  });
}

export async function startCloud(options: StartCloudOptions): Promise<CloudRuntime> {
  const config = parseConfig(options.config);
  const logger = options.logger ?? pino({ level: config.log.level });
  const log = logger.child({ module: 'runtime' });
  const now = options.now ?? (() => Date.now());
  const paths = runtimePaths(config.dataDir);
  const brokerOpt: BrokerOption = options.broker ?? { kind: 'embedded', port: 1883 };
  /** Undo steps of what started so far, run in reverse on a failed start and by stop(). */
  const undo: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];
  const runUndo = async (): Promise<void> => {
    let first: unknown;
    while (undo.length > 0) {
      const step = undo.pop()!;
      log.debug({ step: step.what }, 'stop step');
      try {
        await step.run();
      } catch (err) {
        log.error({ err, step: step.what }, 'stop step failed');
        first ??= err;
      }
    }
    if (first) throw first;
  };

  try {
    // Before anything reads the folder: a newer release's folder is refused, an older one migrated forward.
    await openDataFolder(paths.root, { logger });
    const opened = await openStore({ config: config.store, paths, logger, now });
    const store = opened.store;
    undo.push({ what: 'store', run: () => store.close() });
    const secrets = await openCredentialSecrets({ dataDir: paths.root, secretsKeyFile: config.secretsKeyFile, logger });
    const domain = new LockerService({ store, logger, clock: now, vault: secrets.vault, ...(options.codeHashN ? { codeHashN: options.codeHashN } : {}) });
    // Sharing the database, a request may name what another instance made a moment ago (domain/catch-up-retry.ts).
    const service = opened.instanceId === undefined ? domain : retryAfterCatchUp(domain, store);
    const tokens = await opened.sessions((m) => logger.warn(m));
    // Jobs one instance runs at a time when several share the database, taken over within seconds of a holder's death.
    const jobLeases = opened.instanceId === undefined ? undefined : new JobLeases({ store, holder: opened.instanceId, jobs: ['expiry', OUTBOX_LEASE, 'sftp-schedules'], logger, now, ...options.bankLeases });
    const jobs = jobLeases ?? soleJobs();
    await jobs.start();
    undo.push({ what: 'job leases', run: () => jobs.stop() });
    // After the HTTP server stopped (undo runs in reverse): the requests' last times held in memory are written.
    undo.push({ what: 'sessions', run: () => tokens.flush() });
    // The links' address is the configured public one, else the listening address (known once listening).
    let listening = '';
    const baseUrl = (): string => config.http.publicBaseUrl ?? listening;
    // Account e-mails go to the outbox, made further down (it needs the event ingest); none is queued before it exists.
    const accountMail: AccountMail = options.accountMail ?? { queue: (m) => mail.accountMail.queue(m) };
    const setPassword = (userId: string, password: string, actor: Actor) => auth.updateUser(userId, { password }, actor);
    // The guess limits count where the store is: shared by every instance on one database.
    const guesses = opened.guesses(secrets.vault.macKey('guess counts'));
    const passwordLinks = new PasswordLinks({ store, users: service.users, setPassword, mail: accountMail, baseUrl, now, newId: () => service.random.id('a'), logger, guesses });
    // Sign-in codes go by e-mail only where e-mail goes out: without a `mail` section none is offered.
    const auth = makeAuth(config, service, tokens, logger, now, passwordLinks, config.mail || options.accountMail ? accountMail : undefined, guesses);
    if (config.admin && !(await auth.findUserByName(config.admin.user))) {
      const enterpriseId = await enterpriseForFirstAdmin(service, {});
      await auth.createUser({ username: config.admin.user, password: config.admin.password, role: 'admin', enterpriseId, platformAdmin: true });
      log.info({ user: config.admin.user }, 'created the configured admin');
    }

    const identities = await IdentityRegistry.open(paths.root, options.identityHashParams ? { hashParams: options.identityHashParams } : {});
    const key = await loadOrCreateCommandKey(paths.root);
    // A revocation by `portier-cloud revoke` (another process) closes the identity's live connection at once.
    const unwatch = watchIdentities(identities, { onError: (err: unknown) => log.error({ err }, 'identity registry unreadable') });
    undo.push({ what: 'identity-watch', run: unwatch });
    warnLegacyCredentials(secrets, identities, store, now(), log);

    let broker: EmbeddedBroker | undefined;
    let mqttUrl: string;
    let account: { username: string; password: string };
    if (brokerOpt.kind === 'embedded') {
      account = await ensureServiceAccount({ dataDir: paths.root, identities });
      broker = await startBroker({
        identities,
        logger,
        host: brokerOpt.host ?? '127.0.0.1',
        port: brokerOpt.port ?? 1883,
        ...(brokerOpt.tls ? { tls: brokerOpt.tls } : {}),
      });
      const b = broker;
      undo.push({ what: 'broker', run: () => b.close() });
      mqttUrl = broker.url;
    } else {
      account =
        brokerOpt.username !== undefined && brokerOpt.password !== undefined
          ? { username: brokerOpt.username, password: brokerOpt.password }
          : await ensureServiceAccount({ dataDir: paths.root, identities, username: brokerOpt.username ?? (await sharedBrokerAccount(identities, opened.instanceId, log)) });
      mqttUrl = brokerOpt.url;
    }

    const { journal, desired, inDatabase } = await opened.linkState();
    undo.push({ what: 'journal', run: () => journal.close() });
    const instanceId = opened.instanceId;
    // Instances on one database divide the banks when they share one broker; each with its own embedded broker acts
    // for the controllers connected to it (cloud/DEPLOY.md).
    const linkInstance = brokerOpt.kind === 'external' ? instanceId : undefined;
    const ownership = controllerOwnership({ store, instanceId: linkInstance, logger, now, ...(options.bankLeases ? { leases: options.bankLeases } : {}) });
    const link = new CloudLink({
      url: broker ? broker.url : mqttUrl,
      username: account.username,
      password: account.password,
      // Instances sharing a broker each need their own session. The id is derived from the secret, so that on a broker
      // that does not bind client ids to users a controller's credential cannot name it and push the cloud off.
      clientId: sessionClientId(linkInstance !== undefined ? `${account.username}-${linkInstance}` : account.username, account.password),
      owner: ownership.owner,
      ...(desired ? { desired } : {}),
      signingKey: key.privateKey,
      directory: identities,
      journal,
      desiredDir: paths.desired,
      logger,
      now,
      ...(brokerOpt.kind === 'external' && brokerOpt.mqtt ? { mqtt: brokerOpt.mqtt } : {}),
      ...(brokerOpt.kind === 'external' && brokerOpt.version ? { version: brokerOpt.version } : {}),
    });

    const doorMap = new DomainDoorMap(store, identities);
    const ingest = new EventIngest({ service, source: link, journal, doors: doorMap, stateDir: paths.bridge, logger, now });
    // Listening before the replay of missed events: a code issued by a replayed drop-off must reach the recipient too.
    // The codes of kiosk drop-offs and those the domain issues for a recipient named later go to the same hook.
    const hook = config.notify.webhook;
    const toHook = (tell: (i: IssuedPickupCode) => void): void => {
      ingest.on('pickup-code', tell);
      service.on('pickup-code-issued', tell);
      undo.push({ what: 'pickup-code hook', run: () => void service.off('pickup-code-issued', tell) });
    };
    if (options.onPickupCode) toHook(options.onPickupCode);
    else if (hook) {
      const notifier = new WebhookNotifier({ url: hook.url, secret: hook.secret, directory: store, logger, timeoutMs: hook.timeoutSeconds * 1000, maxAgeMs: hook.maxAgeMinutes * 60_000 });
      toHook(notifier.notify);
      undo.push({ what: 'notifier', run: () => notifier.stop() });
    } else {
      toHook((i) =>
        log.warn(
          { reservationId: i.reservationId, bankId: i.bankId, lockerNumber: i.lockerNumber },
          `a pickup code was issued (a kiosk drop-off, or a recipient named later) but no notifier is configured (notify.webhook): issue a new one with POST /api/v1/reservations/${i.reservationId}/pickup-code`,
        ),
      );
    }
    // E-mail hears of codes and reservation changes from the replay on (it queues them once the links' address is known).
    // Leases name their holder by the instance's id where the database has one, so an operator sees who holds what.
    const leaseHolder = options.mailInstanceId ?? opened.instanceId;
    const mailLease = jobLeases ? { lease: { job: jobLeases.job(OUTBOX_LEASE), ttlMs: jobLeases.ttlMs } } : {};
    const mail = createMail({ config, service, vault: secrets.vault, logger, now, ingest, ...(leaseHolder ? { instanceId: leaseHolder } : {}), ...mailLease });
    undo.push({ what: 'mail', run: () => mail.stop() });
    // Before the link connects: the replay of missed events and the live ones cannot interleave. A journal in the
    // database is replayed per controller, as banks are taken (controller-ownership.ts).
    await ingest.start({ replay: !inDatabase });
    undo.push({ what: 'ingest', run: () => ingest.stop() });
    const unsubscribeSequenceAlerts = recordSequenceAlerts({ source: link, service, logger });
    undo.push({ what: 'sequence-alerts', run: unsubscribeSequenceAlerts });

    await ownership.prepare(link, ingest, inDatabase);
    undo.push({ what: 'link', run: () => link.stop() });
    const started = link.start();
    started.catch((err: unknown) => log.error({ err }, 'sync link failed to start'));
    const waited = await Promise.race([started.then(() => 'up' as const), timeout(options.brokerWaitMs ?? 10_000)]);
    if (waited === 'timeout') log.warn({ url: mqttUrl }, 'broker not reachable yet; the link keeps trying in the background');

    const publisher = new DesiredPublisher({
      src: store,
      events: service,
      external: store,
      link,
      doors: doorMap,
      forms: credentialForms(secrets, store, logger),
      now,
      logger,
      ...(options.desired?.debounceMs !== undefined ? { debounceMs: options.desired.debounceMs } : {}),
      ...(options.desired?.refreshMs !== undefined ? { refreshMs: options.desired.refreshMs } : {}),
      // A rebuild stuck on a publish to an absent broker must not hold the stop up long.
      stopWaitMs: 500,
      assetBase: baseUrl,
      owns: (bankId) => ownership.owner.owns(bankId),
    });
    undo.push({ what: 'publisher', run: () => publisher.stop() });
    // Banks are taken (all of them by a lone instance) before the first publish; given up first at a stop.
    await ownership.start({ link, ingest, publisher: () => publisher });
    undo.push({ what: 'bank ownership', run: () => ownership.stop() });
    // Every controller's state once. With the broker away a publish waits for it: start-up does not.
    const firstPublish = publisher.start();
    firstPublish.catch((err: unknown) => log.error({ err }, 'first desired-state publish failed'));
    if ((await Promise.race([firstPublish.then(() => 'done' as const), timeout(options.brokerWaitMs ?? 10_000)])) === 'timeout') {
      log.warn('desired states not all published yet; they go out when the broker is back');
    }

    // A deleted column's controller is revoked and its retained desired state cleared.
    undo.push({ what: 'retire-columns', run: retireDeletedColumns({ events: service, identities, link, logger }, options.onColumnRetired) });

    const pendingOpens = new PendingOpens({ store, instanceId: instanceId ?? 'cloud', owner: ownership.owner, link, audit: remoteOpenAudit(service, logger), now, logger });
    pendingOpens.start();
    undo.push({ what: 'pending remote opens', run: () => pendingOpens.stop() });
    const remoteOpen = new RemoteOpen({
      link,
      pending: pendingOpens,
      doorMap,
      audit: remoteOpenAudit(service, logger),
      logger,
      now,
      ...options.remoteOpen,
    });
    undo.push({
      what: 'remote-open',
      run: async () => {
        remoteOpen.close();
        await remoteOpen.drain();
      },
    });
    // Live requests only, from now: one stored while the cloud was away is stale by the time it is read.
    const kioskView = (q: { bankId: string; column: number; now: number }) => kioskListingView(store, q);
    const kioskRelay = new KioskRelay({ link, src: store, roster: identities, kioskView, remoteOpen, alerts: service, now, logger, ...options.kioskRelay });
    kioskRelay.start();
    undo.push({ what: 'kiosk-relay', run: () => kioskRelay.stop() });

    // Instances sharing the database expire by turns: the holder of the `expiry` lease runs it.
    const expiryMs = config.expiry.intervalSeconds * 1000;
    const expiryGate = instanceId === undefined ? undefined : async () => jobs.job('expiry').holds();
    const stopExpiry = expiryMs > 0 ? service.startExpiry(expiryMs, expiryGate) : () => {};
    undo.push({ what: 'expiry', run: () => stopExpiry() });
    // History older than the enterprises keep it is hidden at start and every hour, and dropped by compaction.
    const stopRetention = service.startRetention();
    undo.push({ what: 'retention', run: () => stopRetention() });
    const shared = opened.instanceId ? { instanceId: opened.instanceId, job: jobs.job('sftp-schedules') } : {};
    const sftp = startSftpImports(service, store, logger, { now, ...shared, ...options.sftp });
    undo.push({ what: 'sftp-imports', run: () => sftp.scheduler.stop() });
    mail.watchImports(sftp.runner);

    const tls = await readHttpTls(config);
    const main: App = await buildServer({
      ...(tls ? { tls } : {}),
      auth,
      service,
      logger,
      bodyLimitBytes: config.http.bodyLimitBytes,
      trustedProxies: config.http.trustedProxies,
      remoteOpen,
      controllers: link,
      backup: opened.backup,
      sftp: sftp.runner,
      accounts: { links: passwordLinks, formKey: secrets.vault.macKey('account pages'), secureCookies: () => baseUrl().startsWith('https:'), baseUrl },
      vault: secrets.vault,
      guesses,
      ...(opened.instanceId === undefined ? {} : { catchUp: () => store.sync() }),
    });
    undo.push({ what: 'reset requests', run: () => passwordLinks.settled() });
    undo.push({ what: 'http', run: () => main.close() });
    await main.listen({ host: config.http.host, port: config.http.port });
    const addr = main.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const httpUrl = `${tls ? 'https' : 'http'}://${host}:${port}`;
    listening = httpUrl;
    // Kiosks' logo addresses are built on it: states built before it was known left the logo out.
    if (config.http.publicBaseUrl === undefined) publisher.markAll();
    await mail.start(config.http.publicBaseUrl ?? httpUrl);
    log.info({ httpUrl, mqttUrl, data: paths.root, store: opened.where }, 'portier-cloud running');

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        log.info('stopping');
        await runUndo();
        log.info('stopped');
      })());
    return {
      httpUrl,
      mqttUrl,
      brokerKind: brokerOpt.kind,
      service,
      auth,
      passwordLinks,
      identities,
      link,
      journal,
      ingest,
      publisher,
      remoteOpen,
      kioskRelay,
      doorMap,
      credentialKeys: secrets.credentialKeys,
      vault: secrets.vault,
      sftp,
      mail,
      commandPublicKeyPem: key.publicKeyPem,
      dataDir: paths.root,
      stop,
      app: main,
      store,
      url: httpUrl,
      close: stop,
    };
  } catch (err) {
    await runUndo().catch(() => {});
    throw err;
  }
}

