/**
 * `portier policy show|set BANK`: a bank's policy (rules, day-use storage modes and limits, kiosk timers, the reopen
 * grace after a drop-off, delivery quota) through `GET` / `PATCH /banks/{id}`. The API checks every value (the
 * protocol's ranges); this only turns flags into the request body.
 */
import type { Command } from 'commander';
import { DEFAULT_BANK_RULES, DEFAULT_KIOSK_TIMERS, LOCKER_SIZES, storageOffer, type BankRules, type KioskTimers } from '@portier/protocol';
import { CliError } from '../errors.ts';
import type { CommandContext } from '../client.ts';

interface BankPolicy {
  id: string;
  name: string;
  rules: BankRules;
  timers?: KioskTimers;
  deliveryQuota: Record<string, number>;
}

interface SetOpts {
  timer?: string[];
  rule?: string[];
  storageModes?: string;
  fixedHours?: string;
  flexibleMaxH?: string;
  maxStorageH?: string;
  reopenGrace?: string;
  quota?: string[];
}

export function registerPolicyCommands(program: Command, ctx: CommandContext): void {
  const policy = program.command('policy').description("a bank's policy: rules, day-use storage, kiosk timers, delivery quota");
  policy
    .command('show')
    .description("a bank's policy, defaults filled in")
    .argument('<bank>', 'locker bank id')
    .action(async (bankId: string) => {
      const c = await ctx.client();
      const { bank } = await c.json<{ bank: BankPolicy }>('GET', `/banks/${encodeURIComponent(bankId)}`);
      const view = policyView(bank);
      ctx.print({ bankId: bank.id, ...view }, () => human(bank.id, view));
    });
  policy
    .command('set')
    .description("change a bank's policy; what is not given stays as it is")
    .argument('<bank>', 'locker bank id')
    .option('--timer <name=seconds...>', `a kiosk timer: ${Object.keys(DEFAULT_KIOSK_TIMERS).join(', ')}, dropOffReopenGraceS`)
    .option('--reopen-grace <seconds>', "the operator's reopen grace after a drop-off (timer dropOffReopenGraceS; 0: none)")
    .option('--storage-modes <modes>', 'day-use storage modes offered, comma-separated: fixed, flexible, no-end (none: "")')
    .option('--fixed-hours <hours>', 'durations the fixed mode offers, comma-separated ("": until the end of the storage day)')
    .option('--flexible-max-h <hours>', 'the longest flexible storage, extensions included')
    .option('--max-storage-h <hours>', 'the longest day-use storage of any mode')
    .option('--rule <name=value...>', `another bank rule: ${Object.keys(DEFAULT_BANK_RULES).join(', ')}`)
    .option('--quota <size=count...>', `lockers of a size day-use storage must leave free (${LOCKER_SIZES.join(', ')})`)
    .action(async (bankId: string, opts: SetOpts) => {
      const body = setBody(opts);
      if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change: give --timer, --storage-modes, --quota, ...');
      const c = await ctx.client();
      const path = `/banks/${encodeURIComponent(bankId)}`;
      if (body.deliveryQuota) {
        // The quota is replaced whole by the API: sizes not named keep theirs.
        const { bank } = await c.json<{ bank: BankPolicy }>('GET', path);
        body.deliveryQuota = { ...bank.deliveryQuota, ...body.deliveryQuota };
      }
      const { bank } = await c.json<{ bank: BankPolicy }>('PATCH', path, body);
      const view = policyView(bank);
      ctx.print({ bankId: bank.id, ...view }, () => `policy of bank ${bank.id} changed\n${human(bank.id, view)}`);
    });
}

function policyView(bank: BankPolicy): { rules: BankRules; storage: ReturnType<typeof storageOffer>; timers: KioskTimers; deliveryQuota: Record<string, number> } {
  return {
    rules: { ...DEFAULT_BANK_RULES, ...bank.rules },
    storage: storageOffer({ ...DEFAULT_BANK_RULES, ...bank.rules }),
    timers: { ...DEFAULT_KIOSK_TIMERS, dropOffReopenGraceS: 0, ...bank.timers },
    deliveryQuota: bank.deliveryQuota,
  };
}

function human(bankId: string, v: ReturnType<typeof policyView>): string {
  const lines = [`bank ${bankId}`];
  lines.push(`storage modes: ${v.storage.modes.join(', ') || '(none)'}`);
  lines.push(`fixed storage: ${v.storage.fixedHours.length ? `${v.storage.fixedHours.join(', ')} h` : 'until the end of the storage day'}`);
  lines.push(`flexible storage: up to ${v.storage.flexibleMaxH} h; any storage up to ${v.rules.maxStorageH} h`);
  lines.push(`delivery quota: ${Object.entries(v.deliveryQuota).map(([s, n]) => `${s}=${n}`).join(', ') || '(none)'}`);
  for (const [name, value] of Object.entries(v.timers)) lines.push(`timer ${name}: ${value} s`);
  const storageRules = new Set(['storageModes', 'fixedStorageHours', 'flexibleStorageMaxH', 'maxStorageH']);
  for (const [name, value] of Object.entries(v.rules)) if (!storageRules.has(name)) lines.push(`rule ${name}: ${String(value)}`);
  return `${lines.join('\n')}\n`;
}

function setBody(o: SetOpts): { timers?: Record<string, number>; rules?: Record<string, unknown>; deliveryQuota?: Record<string, number> } {
  const timers: Record<string, number> = {};
  for (const [name, value] of pairs(o.timer, '--timer')) timers[name] = number(value, `--timer ${name}`);
  if (o.reopenGrace !== undefined) timers.dropOffReopenGraceS = number(o.reopenGrace, '--reopen-grace');
  const rules: Record<string, unknown> = {};
  for (const [name, value] of pairs(o.rule, '--rule')) rules[name] = value === 'true' ? true : value === 'false' ? false : number(value, `--rule ${name}`);
  if (o.storageModes !== undefined) rules.storageModes = list(o.storageModes);
  if (o.fixedHours !== undefined) rules.fixedStorageHours = list(o.fixedHours).map((h) => number(h, '--fixed-hours'));
  if (o.flexibleMaxH !== undefined) rules.flexibleStorageMaxH = number(o.flexibleMaxH, '--flexible-max-h');
  if (o.maxStorageH !== undefined) rules.maxStorageH = number(o.maxStorageH, '--max-storage-h');
  const quota: Record<string, number> = {};
  for (const [size, value] of pairs(o.quota, '--quota')) quota[size] = number(value, `--quota ${size}`);
  return {
    ...(Object.keys(timers).length ? { timers } : {}),
    ...(Object.keys(rules).length ? { rules } : {}),
    ...(Object.keys(quota).length ? { deliveryQuota: quota } : {}),
  };
}

function pairs(values: string[] | undefined, flag: string): Array<[string, string]> {
  return (values ?? []).map((v) => {
    const m = /^([A-Za-z]+)=(.*)$/.exec(v);
    if (!m) throw new CliError('USAGE', `${flag}: expected name=value, got ${JSON.stringify(v)}`);
    return [m[1]!, m[2]!];
  });
}

function list(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

/** A number as typed; the API checks its range and names the field. */
function number(s: string, flag: string): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw new CliError('USAGE', `${flag}: not a number: ${JSON.stringify(s)}`);
  return n;
}
