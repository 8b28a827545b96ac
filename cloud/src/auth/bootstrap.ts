/** The enterprise a first administrator joins, when a cloud is set up from its command line or its config. */
import type { LockerService } from '../domain/service.ts';
import { AuthError } from './service.ts';

export const DEFAULT_ENTERPRISE_NAME = 'Portier';

/**
 * The given enterprise (which must exist), else the oldest one, else a new enterprise named `name`. A folder with
 * several enterprises and no choice is refused when `requireChoice` is set (the command line asks; the config's
 * admin joins the oldest, the one a one-enterprise folder has).
 */
export async function enterpriseForFirstAdmin(
  service: LockerService,
  opts: { enterpriseId?: string | undefined; name?: string | undefined; requireChoice?: boolean },
): Promise<string> {
  const all = (await service.listEnterprises()).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  if (opts.enterpriseId !== undefined) {
    if (!all.some((e) => e.id === opts.enterpriseId)) throw new AuthError('NOT_FOUND', `enterprise ${JSON.stringify(opts.enterpriseId)} not found`, 'enterpriseId');
    return opts.enterpriseId;
  }
  if (all.length > 1 && opts.requireChoice) {
    throw new AuthError('ENTERPRISE_REQUIRED', `the data folder has ${all.length} enterprises: say which with --enterprise-id (${all.map((e) => e.id).join(', ')})`, 'enterpriseId');
  }
  if (all[0]) return all[0].id;
  const created = await service.createEnterprise({ name: opts.name ?? DEFAULT_ENTERPRISE_NAME }, { role: 'system' });
  return created.id;
}
