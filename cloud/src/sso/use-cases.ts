/**
 * An enterprise's single-sign-on configuration over the domain core: set (the client secret sealed, a secret left out
 * kept), read without its secret, removed; every change audited as a change of the enterprise, the secret recorded as
 * changed, never with a value. Also what the sign-in needs of it: the secret opened, and whether the enterprise's users
 * are barred from password sign-in.
 */
import { auditChanges } from '../domain/audit.ts';
import type { DomainCore } from '../domain/core.ts';
import { DomainError, notFound, parseInput } from '../domain/errors.ts';
import type { Actor } from '../domain/model.ts';
import { barsPasswordSignIn, publicSsoConfig, ssoConfigInput, ssoSecretPurpose, type PublicSsoConfig, type SsoConfigInput, type SsoConfigRecord } from './model.ts';

/** The fields an audit entry compares; `secret` is one auditChanges never writes a value of. */
const AUDITED = ['issuer', 'clientId', 'secret', 'emailClaim', 'defaultRole', 'createUsers', 'passwordSignIn', 'enabled'] as const;
type Audited = Record<(typeof AUDITED)[number], unknown>;

function audited(r: SsoConfigRecord | undefined, secretChanged: boolean): Audited | undefined {
  if (!r) return undefined;
  // A new secret shows as a change: compare a fresh token, never the sealed value (it differs at every seal).
  const { clientSecret: _sealed, enterpriseId: _e, createdAt: _c, updatedAt: _u, ...rest } = r;
  return { ...rest, defaultRole: r.defaultRole, secret: secretChanged ? 'new' : 'kept' };
}

const TARGET = (enterpriseId: string) => ({ kind: 'enterprise' as const, id: enterpriseId });

export class SsoConfigUseCases {
  constructor(private readonly core: DomainCore) {}

  /** The stored configuration (secret sealed); none once its enterprise is deleted. */
  record(enterpriseId: string): SsoConfigRecord | undefined {
    return this.core.store.get('enterprises', enterpriseId) ? this.core.store.get('ssoConfigs', enterpriseId) : undefined;
  }

  get(enterpriseId: string): PublicSsoConfig {
    const r = this.record(enterpriseId);
    if (!r) throw notFound('single sign-on of enterprise', enterpriseId, 'enterpriseId');
    return publicSsoConfig(r);
  }

  /** Creates or replaces the configuration; the client secret left out keeps the stored one. */
  async set(enterpriseId: string, input: SsoConfigInput, actor: Actor): Promise<PublicSsoConfig> {
    const req = parseInput(ssoConfigInput, input);
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    if (req.defaultRole !== undefined) this.core.mustRole(enterpriseId, req.defaultRole, 'defaultRole');
    const old = this.record(enterpriseId);
    const clientSecret = req.clientSecret !== undefined ? this.core.vault.sealSecret(ssoSecretPurpose(enterpriseId), req.clientSecret) : old?.clientSecret;
    if (clientSecret === undefined) throw new DomainError('VALIDATION', 'give the client secret the identity provider issued', 'clientSecret');
    const now = this.core.now();
    const next: SsoConfigRecord = {
      enterpriseId,
      issuer: req.issuer,
      clientId: req.clientId,
      clientSecret,
      emailClaim: req.emailClaim,
      ...(req.defaultRole !== undefined ? { defaultRole: req.defaultRole } : {}),
      createUsers: req.createUsers,
      passwordSignIn: req.passwordSignIn,
      enabled: req.enabled,
      createdAt: old?.createdAt ?? now,
      ...(old ? { updatedAt: now } : {}),
    };
    const changes = auditChanges(audited(old, false), audited(next, req.clientSecret !== undefined), AUDITED);
    const a = this.core.audit(actor, enterpriseId, TARGET(enterpriseId), old ? 'single sign-on changed' : 'single sign-on set up', changes);
    await this.core.commit({ put: [{ c: 'ssoConfigs', key: enterpriseId, value: next }], activity: [a] });
    return publicSsoConfig(next);
  }

  /** Removes the configuration and its secret: the enterprise's users sign in with their passwords again. */
  async clear(enterpriseId: string, actor: Actor): Promise<PublicSsoConfig> {
    const r = this.record(enterpriseId);
    if (!r) throw notFound('single sign-on of enterprise', enterpriseId, 'enterpriseId');
    const a = this.core.audit(actor, enterpriseId, TARGET(enterpriseId), 'single sign-on removed', auditChanges(audited(r, false), undefined, AUDITED));
    await this.core.commit({ del: [{ c: 'ssoConfigs', key: enterpriseId }], activity: [a] });
    return publicSsoConfig({ ...r, enabled: false });
  }

  /** The client secret in clear, to exchange a code; an error when it was sealed under another secrets key. */
  clientSecret(r: SsoConfigRecord): string {
    const v = this.core.vault.openSecret(ssoSecretPurpose(r.enterpriseId), r.clientSecret);
    if (v === undefined) throw new Error("the stored client secret cannot be opened with this cloud's secrets key: set it again");
    return v;
  }

  /** Whether the users of `enterpriseId` must sign in through its identity provider (no password sign-in). */
  passwordSignInBarred(enterpriseId: string): boolean {
    return barsPasswordSignIn(this.record(enterpriseId));
  }

  /** `value` sealed for `purpose` under the cloud's secrets key (a sign-in's state in a browser cookie). */
  seal(purpose: string, value: string): string {
    return this.core.vault.sealSecret(`sso:${purpose}`, value);
  }

  /** What `seal` sealed for `purpose`, or undefined for anything else. */
  open(purpose: string, sealed: string): string | undefined {
    return this.core.vault.openSecret(`sso:${purpose}`, sealed);
  }
}
