// Node file I/O shared by the two deployables (cloud and controller): writes that survive a power cut. Kept apart
// from protocol, which stays free of I/O.
export { AppendFile, ShortWriteError, ensureDir, fsyncDir, syncNewFolders, writeAll, writeFileDurable } from './durable-write.ts';
