/**
 * The ordered migrations of the data folder (data-folder.ts runs them at start-up and after a restore).
 *
 * Every change of a stored shape, anywhere in the data folder (the store's snapshot and journal, tokens, keys,
 * identities, sync state), comes with a step here and a fixture written by the previous release under
 * cloud/test/fixtures/ that a test starts on. A step `{ from, to, describe, run(dir) }` moves the whole folder `dir`
 * from format `from` to `to` (`to = from + 1`); the store's own steps live in cloud/src/store/migrations/ and are
 * listed here like any other. A step must be safe to run again on a folder it has partly changed: a crash mid-step
 * runs it again at the next start. It writes every file whole (writeFileDurable: temp, fsync, rename, fsync folder)
 * and resolves only once they are durable; the runner bumps the folder's format after that.
 *
 * Format 1 is the first: the folders of the releases before `portier-data.json`.
 */
import { upgradeStore } from './store-upgrades.ts';

export interface Migration {
  from: number;
  to: number;
  /** One line for the log: what changes in the folder. */
  describe: string;
  run(dir: string): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    describe: 'people, carriers and users belong to an enterprise; users get an access level',
    run: async (dir) => {
      await upgradeStore(dir);
    },
  },
  {
    from: 2,
    to: 3,
    describe: "contacts' free-form custom fields become their enterprise's custom field definitions, values kept by field id",
    // The store upgrades are safe to run again: this runs them all, of which only the custom fields' find work here.
    run: async (dir) => {
      await upgradeStore(dir);
    },
  },
];
