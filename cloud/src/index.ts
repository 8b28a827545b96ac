// The cloud's public face: the runtime the programs start (service, HTTP API, broker), provisioning of controllers,
// the stores, the allocation service and its model, and the pieces the demo, the benchmarks and the end-to-end tests
// drive or measure directly.
export { startCloud, runtimePaths, brokerOption, type CloudRuntime, type StartCloudOptions, type BrokerOption, type MqttSettings } from './runtime/cloud-runtime.ts';
export {
  provision,
  rekey,
  revoke,
  ensureServiceAccount,
  writeControllerConfig,
  ProvisionError,
  type ProvisionInput,
  type ProvisionResult,
  type ControllerLinkConfig,
  type RekeyInput,
} from './provision/provision.ts';
export { loadOrCreateCommandKey, commandKeyPath, KeyFileError, type CommandKey } from './provision/keys.ts';
export { defaultSecretsKeyPath, openVault, SecretsKeyError } from './provision/secrets-key.ts';
export { CodeVault } from './domain/code-vault.ts';
export { consoleJsGzipBytes } from './web/assets/assets.ts';
export { LockerService } from './domain/service.ts';
export type { ActivityEntry, CreateLockerInput, Reservation } from './domain/model.ts';
export { lockerDimensions } from './domain/model.ts';
export { MemoryStore } from './store/memory.ts';
export { DurableStore, type DurableStoreOptions } from './store/durable.ts';
export { PgStore, type PgStoreOptions } from './store/pg/pg-store.ts';
export { restoreBackup, readBackup, BackupError, type RestoreResult } from './backup/restore.ts';
export { openDataFolder, DataFolderError, DATA_FORMAT, DATA_VERSION_FILE } from './data-folder/data-folder.ts';
export { JOURNAL_FILE } from './sync/event-journal.ts';
export { connectMqttAsync } from './mqtt/client.ts';
export { IdentityRegistry, IDENTITIES_FILE, identitiesPath, type ControllerIdentity, type ServiceAccount } from './mqtt/identities.ts';
export {
  writeMosquittoAuthFiles,
  writeMosquittoFiles,
  reloadMosquitto,
  MOSQUITTO_FILE_NAMES,
  type IdentitySource,
  type MosquittoFiles,
} from './mqtt/mosquitto.ts';
export { writeNatsAuthFile, writeNatsFiles, reloadNats, natsSubject, type NatsFiles, type NatsNode, type NatsSkipped } from './mqtt/nats.ts';
export type { IssuedPickupCode } from './bridge/event-ingest.ts';
export { signBody, type ParcelReadyNotice } from './notify/webhook.ts';
export type { SftpRunFailed, SftpRunnerEvents } from './sftp/runner.ts';
export type { SftpImportRun } from './sftp/model.ts';
