/**
 * An enterprise's single sign-on with OpenID Connect: its configuration as given through the API, as stored (the
 * client secret sealed under the cloud's secrets key) and as answered (the secret never: only that one is set).
 */
import { z } from 'zod';
import { entityIdSchema, epochMs, roleIdSchema } from '../domain/model.ts';

/** Host names a plain-http issuer may have: an identity provider on this machine (a test, a local proxy). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether `issuer` is served over plain http on this machine, the one case where https is not required. */
export function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
}

const issuerSchema = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .superRefine((v, ctx) => {
    const u = new URL(v);
    if (u.protocol === 'http:' && !isLoopbackHttp(u)) ctx.addIssue({ code: 'custom', message: 'the issuer must be an https URL (plain http only for an issuer on this machine)' });
    if (u.search !== '' || u.hash !== '') ctx.addIssue({ code: 'custom', message: 'the issuer has no query or fragment' });
  })
  .describe("the identity provider's issuer URL (its discovery document is at /.well-known/openid-configuration)");

/** `PUT /enterprises/{id}/sso`: the whole configuration; the client secret left out keeps the one stored. */
export const ssoConfigInput = z
  .strictObject({
    issuer: issuerSchema,
    clientId: z.string().min(1).max(255),
    clientSecret: z.string().min(1).max(1000).optional().describe('write only: never answered; left out, the stored one is kept'),
    emailClaim: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'a claim name')
      .default('email')
      .describe('the claim that carries the e-mail address the user is found by'),
    defaultRole: roleIdSchema.optional().describe('the role of a user created at their first sign-in (required with createUsers)'),
    createUsers: z.boolean().default(false).describe('create an unknown e-mail address as a new user of the enterprise at its first sign-in'),
    passwordSignIn: z.boolean().default(true).describe("false: the enterprise's users may no longer sign in with a password (while enabled)"),
    enabled: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    if (v.createUsers && v.defaultRole === undefined) ctx.addIssue({ code: 'custom', path: ['defaultRole'], message: 'give the role of the users created at their first sign-in' });
  });
export type SsoConfigInput = z.input<typeof ssoConfigInput>;

/** The configuration as stored (key = enterpriseId); `clientSecret` sealed with the purpose `ssoSecretPurpose`. */
export interface SsoConfigRecord {
  enterpriseId: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  emailClaim: string;
  defaultRole?: string;
  createUsers: boolean;
  passwordSignIn: boolean;
  enabled: boolean;
  createdAt: number;
  updatedAt?: number;
}

/** What the client secret of an enterprise is sealed for: a sealed value moved to another record does not open. */
export const ssoSecretPurpose = (enterpriseId: string): string => `sso:${enterpriseId}:clientSecret`;

/** Whether a configuration bars its enterprise's users from password sign-in: enabled, and password sign-in off. */
export function barsPasswordSignIn(r: SsoConfigRecord | undefined): boolean {
  return r !== undefined && r.enabled && !r.passwordSignIn;
}

export const publicSsoConfigSchema = z.object({
  enterpriseId: entityIdSchema,
  issuer: z.string(),
  clientId: z.string(),
  hasClientSecret: z.boolean(),
  emailClaim: z.string(),
  defaultRole: z.string().optional(),
  createUsers: z.boolean(),
  passwordSignIn: z.boolean(),
  enabled: z.boolean(),
  createdAt: epochMs,
  updatedAt: epochMs.optional(),
});
export type PublicSsoConfig = z.infer<typeof publicSsoConfigSchema>;

export function publicSsoConfig(r: SsoConfigRecord): PublicSsoConfig {
  const { clientSecret, ...rest } = r;
  return { ...rest, hasClientSecret: clientSecret !== '' };
}
