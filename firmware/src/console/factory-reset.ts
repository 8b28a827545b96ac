import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './config-file.ts';

export interface FactoryResetOptions {
  /** The controller config file the console edits. */
  configPath: string;
  /** The shipped configuration (provisioning output) to restore; the config is left as it is when absent. */
  factoryConfigPath?: string;
  /** The link's data folder. */
  dataDir?: string;
  /**
   * Files in `dataDir` to erase. Default: only `desired.json` (the cloud re-sends its retained
   * desired state on the next connection). Deliberately NOT erased by default:
   * - `commands.json` + `commands.log`: seen command ids (replay protection) and the event sequence high-water
   *   mark; the cloud deduplicates events by (controllerId, seq), so restarting the sequence at 1
   *   would make it drop every new event as a duplicate;
   * - `outbox.json` + `outbox.log`: events the cloud has not confirmed yet (DESIGN.md: nothing acknowledged is lost).
   */
  erase?: readonly string[];
}

/**
 * What `factory-reset` does on a real controller (the runtime passes it as `ControllerBackend`'s
 * `factoryReset`): restores the shipped configuration durably and erases local state that the
 * cloud will send again. Runs after the outputs were driven safe; the daemon restarts afterwards.
 */
export async function factoryResetLocalState(o: FactoryResetOptions): Promise<{ restoredConfig: boolean; erased: string[] }> {
  let restoredConfig = false;
  if (o.factoryConfigPath) {
    const shipped = await readFile(o.factoryConfigPath);
    await writeFileDurably(o.configPath, shipped);
    restoredConfig = true;
  }
  const erased: string[] = [];
  if (o.dataDir) {
    for (const name of o.erase ?? ['desired.json']) {
      if (name.includes('/') || name.includes('\\') || name === '..' || name === '.') throw new RangeError(`not a file name: ${name}`);
      await rm(join(o.dataDir, name), { force: true });
      erased.push(name);
    }
  }
  return { restoredConfig, erased };
}
