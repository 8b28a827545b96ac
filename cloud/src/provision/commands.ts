/**
 * `portier-cloud provision`, `portier-cloud rekey`, `portier-cloud revoke` and `portier-cloud mosquitto-files` as
 * commander sub-commands.
 * `portier-cloud` registers them on its program: `registerProvisionCommands(program)`.
 * Each first makes sure of the data folder's format (data-folder.ts: a newer release's folder is refused).
 * They print one JSON line to stdout (the secret is never printed: it is in the 0600 config file) and exit non-zero
 * with `{ error: { code, message, field } }` on stderr when refused.
 */
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { mqttVersionSchema, type MqttVersion } from '@portier/protocol';
import { commandRunner, intArg, type ProvisionCommandOptions } from './command-run.ts';
import { registerNatsCommand } from './nats-command.ts';

/** What the commands work with, loaded when one runs: building the program (its help) does not load it. */
async function parts() {
  const [{ openDataFolder }, { IdentityRegistry }, mosquitto, provisioning] = await Promise.all([
    import('../data-folder/data-folder.ts'),
    import('../mqtt/identities.ts'),
    import('../mqtt/mosquitto.ts'),
    import('./provision.ts'),
  ]);
  return { openDataFolder, IdentityRegistry, ...mosquitto, ...provisioning };
}

function mqttVersionArg(v: string): MqttVersion {
  const r = mqttVersionSchema.safeParse(v);
  if (!r.success) throw new InvalidArgumentError(r.error.issues[0]?.message ?? 'expected 3.1.1 or 5');
  return r.data;
}

export function registerProvisionCommands(program: Command, opts: ProvisionCommandOptions = {}): Command {
  const { run, dataDirOf } = commandRunner(opts);

  program
    .command('provision')
    .description("create a controller's identity for a bank and column and write its config file (0600)")
    .requiredOption('--bank <bankId>', 'bank id')
    .requiredOption('--controller <controllerId>', 'controller id (also its MQTT user name)')
    .requiredOption('--column <n>', 'column number in the bank', intArg(1, 64))
    .requiredOption('--broker-url <url>', 'broker URL the controller connects to (mqtt://host:port or mqtts://...), or the URLs of a cluster\'s nodes separated by commas, tried in turn')
    .option('--mqtt-version <version>', 'MQTT version the controller speaks: 3.1.1 (its default) or 5', mqttVersionArg)
    .requiredOption('--out <file>', 'controller config file to write (its link section is replaced if it exists)')
    .option('--data-dir <dir>', 'cloud data folder')
    .option('--secrets-key <file>', "the cloud's secrets key file (default: <data folder>.secrets.key)")
    .action(async (o: { bank: string; controller: string; column: number; brokerUrl: string; mqttVersion?: MqttVersion; out: string; dataDir?: string; secretsKey?: string }) => {
      await run(async () => {
        const { openDataFolder, provision } = await parts();
        await openDataFolder(dataDirOf(o));
        const r = await provision({
          dataDir: dataDirOf(o),
          bankId: o.bank,
          controllerId: o.controller,
          column: o.column,
          brokerUrl: o.brokerUrl,
          ...(o.mqttVersion !== undefined ? { mqttVersion: o.mqttVersion } : {}),
          out: o.out,
          ...(o.secretsKey !== undefined ? { secretsKeyFile: o.secretsKey } : {}),
        });
        return { provisioned: r.identity.controllerId, bankId: r.identity.bankId, column: r.identity.column, configFile: resolve(r.configFile), credentialKeyId: r.credentialKeyId };
      });
    });

  program
    .command('rekey')
    .description("give a controller a new credential key, written into its config file (0600); live codes keep working once the file is on the board")
    .requiredOption('--controller <controllerId>', 'controller id')
    .requiredOption('--out <file>', "the controller's config file (its link.credentialKey is replaced, nothing else)")
    .option('--data-dir <dir>', 'cloud data folder')
    .option('--secrets-key <file>', "the cloud's secrets key file (default: <data folder>.secrets.key)")
    .action(async (o: { controller: string; out: string; dataDir?: string; secretsKey?: string }) => {
      await run(async () => {
        const { openDataFolder, rekey } = await parts();
        await openDataFolder(dataDirOf(o));
        const r = await rekey({ dataDir: dataDirOf(o), controllerId: o.controller, out: o.out, ...(o.secretsKey !== undefined ? { secretsKeyFile: o.secretsKey } : {}) });
        return { rekeyed: r.controllerId, credentialKeyId: r.credentialKeyId, configFile: resolve(r.configFile), next: "install the file on the board and restart portier-controller" };
      });
    });

  program
    .command('revoke')
    .description('end a controller identity for good (its id and secret are never accepted or issued again)')
    .requiredOption('--controller <controllerId>', 'controller id')
    .option('--data-dir <dir>', 'cloud data folder')
    .option(
      '--mosquitto-dir <dir>',
      "an external Mosquitto's folder (written by mosquitto-files): rewrite its password and ACL files, and reload it when its configuration names a pid_file",
    )
    .action(async (o: { controller: string; dataDir?: string; mosquittoDir?: string }) => {
      await run(async () => {
        const { IdentityRegistry, openDataFolder, reloadMosquitto, revoke, writeMosquittoAuthFiles } = await parts();
        await openDataFolder(dataDirOf(o));
        const reg = await IdentityRegistry.open(dataDirOf(o));
        const r = await revoke({ dataDir: dataDirOf(o), controllerId: o.controller, identities: reg });
        if (o.mosquittoDir === undefined) return { revoked: r.controllerId, revokedAt: r.revokedAt };
        const dir = resolve(o.mosquittoDir);
        await writeMosquittoAuthFiles(reg, dir);
        const reloaded = await reloadMosquitto(dir).catch((e: unknown) => {
          throw Object.assign(new Error(`${r.controllerId} is revoked and the files in ${dir} rewritten, but Mosquitto was not reloaded: ${(e as Error).message}; send it SIGHUP`), {
            code: 'MOSQUITTO_RELOAD_FAILED',
          });
        });
        return {
          revoked: r.controllerId,
          revokedAt: r.revokedAt,
          mosquitto: reloaded ? { reloaded: reloaded.pid } : { reload: 'no pid_file in its configuration: send mosquitto SIGHUP to apply the revoke' },
        };
      });
    });

  program
    .command('mosquitto-files')
    .description('write mosquitto.conf, a password file and an ACL file enforcing the same rules as the embedded broker')
    .requiredOption('--out <dir>', 'folder for the three files')
    .option('--host <host>', 'listener address', '127.0.0.1')
    .option('--port <port>', 'listener port', intArg(1, 65535), 1883)
    .option('--data-dir <dir>', 'cloud data folder')
    .option('--pid-file <file>', "Mosquitto's pid file (lets `revoke --mosquitto-dir` reload it)")
    .option(
      '--instance <id>',
      'a cloud instance sharing the broker (store.instanceId; repeat for each): its own service account portier-cloud-<id>, the secret in the folder\'s mqtt/, for every instance\'s copy of it',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .action(async (o: { out: string; host: string; port: number; dataDir?: string; pidFile?: string; instance: string[] }) => {
      await run(async () => {
        const { IdentityRegistry, ensureServiceAccount, instanceServiceAccount, openDataFolder, writeMosquittoFiles } = await parts();
        await openDataFolder(dataDirOf(o));
        const reg = await IdentityRegistry.open(dataDirOf(o));
        // The cloud's own service account must be in the files before the cloud connects to that broker; instances
        // sharing the broker each need one of their own (Mosquitto binds the client id to the user name).
        const service = await ensureServiceAccount({ dataDir: dataDirOf(o), identities: reg });
        const instances: string[] = [];
        for (const id of o.instance) instances.push((await ensureServiceAccount({ dataDir: dataDirOf(o), identities: reg, username: instanceServiceAccount(id) })).username);
        const files = await writeMosquittoFiles(reg, resolve(o.out), { host: o.host, port: o.port }, o.pidFile ? { pidFile: resolve(o.pidFile) } : {});
        return {
          ...files,
          serviceAccount: service.username,
          ...(instances.length > 0 ? { instanceAccounts: instances } : {}),
          reload: 'send mosquitto SIGHUP after each provision or revoke to reload the files',
        };
      });
    });

  registerNatsCommand(program, opts);
  return program;
}
