export { DurableFile, StoreError, openDurableStore, type DurableFileOptions, type OpenedStore, type StoreErrorCode, type StoreReset } from './durable-file.ts';
export { DesiredStore, type DesiredFile } from './desired-store.ts';
export { AppendFile, ShortWriteError, fsyncDir, writeAll, writeFileDurable } from '@portier/durable';
