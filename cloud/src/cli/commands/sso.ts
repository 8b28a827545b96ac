/**
 * `portier sso show|set|clear`: the enterprise's single sign-on with OpenID Connect (permission `sso`). The client
 * secret comes from a file (`--client-secret-file`), never from the command line, and is never printed: the API
 * answers only that one is set.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';
import { textFile } from './common.ts';

interface SsoLike {
  enterpriseId: string;
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  emailClaim: string;
  defaultRole?: string;
  createUsers: boolean;
  passwordSignIn: boolean;
  enabled: boolean;
  redirectUri?: string;
  signInUrl?: string;
}

interface SetOptions {
  enterprise?: string;
  issuer?: string;
  clientId?: string;
  clientSecretFile?: string;
  emailClaim?: string;
  defaultRole?: string;
  createUsers?: string;
  passwordSignIn?: string;
  enable?: boolean;
  disable?: boolean;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function describe(s: SsoLike): string {
  return [
    `issuer:          ${s.issuer}${s.enabled ? '' : ' - disabled'}`,
    `client:          ${s.clientId} (secret ${s.hasClientSecret ? 'set' : 'not set'})`,
    `e-mail claim:    ${s.emailClaim}`,
    `create users:    ${yesNo(s.createUsers)}${s.defaultRole !== undefined ? ` (role ${s.defaultRole})` : ''}`,
    `password sign-in: ${s.passwordSignIn ? 'allowed' : 'refused: single sign-on only'}`,
    ...(s.redirectUri !== undefined ? [`redirect URI:    ${s.redirectUri} (register it with the identity provider)`] : []),
    ...(s.signInUrl !== undefined ? [`sign-in link:    ${s.signInUrl}`] : []),
  ].join('\n') + '\n';
}

/** A yes/no option's value. */
function flag(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'yes' || v === 'no') return v === 'yes';
  throw new CliError('USAGE', `${name} takes yes or no`);
}

export function registerSsoCommands(program: Command, ctx: CommandContext): void {
  const sso = program.command('sso').description("your enterprise's single sign-on with OpenID Connect (permission sso; the client secret is set from a file and never shown)");
  const path = async (given: string | undefined): Promise<string> => {
    const id = given ?? (await (await ctx.client()).json<{ user: { enterpriseId: string } }>('GET', '/auth/me')).user.enterpriseId;
    return `/enterprises/${encodeURIComponent(id)}/sso`;
  };
  const call = async (method: string, url: string, body?: unknown): Promise<{ sso: SsoLike }> => (await ctx.client()).json<{ sso: SsoLike }>(method, url, body);

  sso
    .command('show')
    .description('the configuration: issuer, client (whether its secret is set), e-mail claim, user creation, password sign-in, the redirect URI')
    .option('--enterprise <id>', 'enterprise id (default: yours)')
    .action(async (o: { enterprise?: string }) => {
      const r = await call('GET', await path(o.enterprise));
      ctx.print(r, () => describe(r.sso));
    });

  sso
    .command('set')
    .description('set single sign-on up, or change the options given (the others, and the secret unless a new one is given, are kept)')
    .option('--enterprise <id>', 'enterprise id (default: yours)')
    .option('--issuer <url>', "the identity provider's issuer URL (https)")
    .option('--client-id <id>', 'the client id the identity provider gave Portier')
    .option('--client-secret-file <file>', 'the client secret, from this file')
    .option('--email-claim <claim>', 'the claim that carries the e-mail address (default email)')
    .option('--default-role <role>', 'the role of a user created at their first sign-in')
    .option('--create-users <yes|no>', 'create an unknown e-mail address as a new user at its first sign-in')
    .option('--password-sign-in <yes|no>', "no: the enterprise's users may no longer sign in with a password")
    .option('--enable', 'turn single sign-on on')
    .option('--disable', 'keep the settings but turn single sign-on off')
    .action(async (o: SetOptions) => {
      if (o.enable && o.disable) throw new CliError('USAGE', 'give --enable or --disable, not both');
      const url = await path(o.enterprise);
      let old: SsoLike | undefined;
      try {
        old = (await call('GET', url)).sso;
      } catch (err) {
        if (!(err instanceof CliError && err.message.startsWith('NOT_FOUND'))) throw err;
      }
      const createUsers = flag(o.createUsers, '--create-users');
      const passwordSignIn = flag(o.passwordSignIn, '--password-sign-in');
      const body: Record<string, unknown> = {
        ...(old ? { issuer: old.issuer, clientId: old.clientId, emailClaim: old.emailClaim, createUsers: old.createUsers, passwordSignIn: old.passwordSignIn, enabled: old.enabled } : {}),
        ...(old?.defaultRole !== undefined ? { defaultRole: old.defaultRole } : {}),
        ...(o.issuer !== undefined ? { issuer: o.issuer } : {}),
        ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
        ...(o.emailClaim !== undefined ? { emailClaim: o.emailClaim } : {}),
        ...(o.defaultRole !== undefined ? { defaultRole: o.defaultRole } : {}),
        ...(createUsers !== undefined ? { createUsers } : {}),
        ...(passwordSignIn !== undefined ? { passwordSignIn } : {}),
        ...(o.enable ? { enabled: true } : o.disable ? { enabled: false } : {}),
      };
      if (o.clientSecretFile !== undefined) body.clientSecret = await textFile(o.clientSecretFile, true);
      const missing = [['issuer', '--issuer'], ['clientId', '--client-id'], ['clientSecret', '--client-secret-file']].filter(([k]) => body[k!] === undefined && !(k === 'clientSecret' && old)).map(([, f]) => f);
      if (missing.length > 0) throw new CliError('USAGE', `single sign-on needs ${missing.join(', ')}`);
      const r = await call('PUT', url, body);
      ctx.print(r, () => `${old ? 'changed' : 'set up'} single sign-on\n${describe(r.sso)}`);
    });

  sso
    .command('clear')
    .description('remove single sign-on and its secret: password sign-in works again')
    .option('--enterprise <id>', 'enterprise id (default: yours)')
    .action(async (o: { enterprise?: string }) => {
      const r = await call('DELETE', await path(o.enterprise));
      ctx.print(r, () => `removed single sign-on with ${r.sso.issuer}\n`);
    });
}
