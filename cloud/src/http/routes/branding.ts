/**
 * Branding (tag `branding`): an enterprise's colours and logo and a bank's override of them, read, set and removed;
 * logo files uploaded as the raw request body (`image/png` or `image/svg+xml`: the file as it is, what `curl
 * --data-binary` sends); and the public route of a logo file by its SHA-256 (`GET /branding/{sha256}`), for kiosks,
 * e-mails and the console's preview. Logos are not secret: the hash makes the address stable per content, so the file
 * is cached for good, and an SVG is served under a CSP sandbox so that even a stored one can never run.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sha256HexSchema } from '@portier/protocol';
import { logoPath, MAX_LOGO_BYTES, publicBrandingSchema, publicLogoSchema, brandingInput, type BrandingRecord, type LogoRef, type PublicBranding, type PublicLogo } from '../../branding/model.ts';
import type { EffectiveBranding } from '../../branding/use-cases.ts';
import { entityIdSchema } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, BankParams, created, ok } from './common.ts';

const EnterpriseParams = z.strictObject({ enterpriseId: entityIdSchema });
const AssetParams = z.strictObject({ sha256: sha256HexSchema });
const EnterpriseReply = z.object({
  enterpriseId: z.string(),
  branding: publicBrandingSchema.optional().describe("the enterprise's own branding; absent: the built-in look"),
  banks: z.array(z.object({ bankId: z.string(), name: z.string(), override: publicBrandingSchema.optional() })).describe('every bank of the enterprise and its override, if any'),
});
const BankReply = z.object({
  bankId: z.string(),
  override: publicBrandingSchema.optional().describe("the bank's own colours or logo"),
  effective: publicBrandingSchema.optional().describe("what the bank's kiosk shows: the override's parts, else the enterprise's"),
});
const LogoReply = z.object({ logo: publicLogoSchema });
const tags = ['branding'];

/** The answer to a public logo file: its type, cached for good, never sniffed, and an SVG sandboxed. */
export const LOGO_HEADERS = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
} as const;
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export const brandingRoutes: FastifyPluginAsyncZod<{ service: LockerService; baseUrl: (() => string) | undefined }> = async (app, { service, baseUrl }) => {
  app.addContentTypeParser(['image/png', 'image/svg+xml'], { parseAs: 'buffer', bodyLimit: 2 * MAX_LOGO_BYTES }, (_req, body, done) => done(null, body));

  const enterpriseIn = (req: FastifyRequest, id: string): string => {
    const s = scopeOf(req, service.store);
    s.requireEnterprise(id, 'params.enterpriseId');
    // The enterprise's own branding reaches every bank: an enterprise-wide access level only.
    if (s.principal.accessLevel.kind !== 'enterprise') throw new ApiError('NOT_FOUND', `enterprise ${JSON.stringify(id)} not found`, 'params.enterpriseId');
    return id;
  };
  const bankIn = (req: FastifyRequest, id: string): string => {
    scopeOf(req, service.store).requireBank(id, 'params.bankId');
    return id;
  };
  const logo = (l: LogoRef): PublicLogo => {
    const base = baseUrl?.();
    return { sha256: l.sha256, type: l.type, bytes: l.bytes, ...(base ? { url: `${base}${logoPath(l.sha256)}` } : {}) };
  };
  const answer = (r: BrandingRecord | EffectiveBranding | undefined): PublicBranding | undefined =>
    r ? { ...(r.colours ? { colours: r.colours } : {}), ...(r.logo ? { logo: logo(r.logo) } : {}), ...('updatedAt' in r && r.updatedAt !== undefined ? { updatedAt: r.updatedAt } : {}) } : undefined;
  const enterpriseReply = (enterpriseId: string) => {
    const overrides = new Map(service.branding.bankOverrides(enterpriseId).map((r) => [r.bankId!, r]));
    const banks = service.branding
      .banksOf(enterpriseId)
      .map((b) => ({ bankId: b.id, name: b.name, ...(overrides.has(b.id) ? { override: answer(overrides.get(b.id)) } : {}) }));
    const own = answer(service.branding.ofEnterprise(enterpriseId));
    return { enterpriseId, ...(own ? { branding: own } : {}), banks };
  };
  const bankReply = (bankId: string) => {
    const r = service.branding.ofBank(bankId);
    const override = answer(r.override);
    const effective = answer(r.effective);
    return { bankId, ...(override ? { override } : {}), ...(effective ? { effective } : {}) };
  };

  app.get('/enterprises/:enterpriseId/branding', { schema: { tags, summary: "The enterprise's colours and logo, and each bank's override", params: EnterpriseParams, response: ok(EnterpriseReply) } }, async (req) =>
    enterpriseReply(enterpriseIn(req, req.params.enterpriseId)),
  );
  app.put(
    '/enterprises/:enterpriseId/branding',
    {
      schema: {
        tags,
        summary: "Set the enterprise's colours and logo (a part left out: the built-in one). Colour pairs below 4.5:1 contrast are refused naming the field and the ratio",
        params: EnterpriseParams,
        body: brandingInput,
        response: ok(EnterpriseReply),
      },
    },
    async (req) => {
      const id = enterpriseIn(req, req.params.enterpriseId);
      await service.branding.setEnterprise(id, req.body, actorOf(req));
      return enterpriseReply(id);
    },
  );
  app.delete('/enterprises/:enterpriseId/branding', { schema: { tags, summary: "Remove the enterprise's branding: the built-in look (bank overrides stay)", params: EnterpriseParams, response: ok(EnterpriseReply) } }, async (req) => {
    const id = enterpriseIn(req, req.params.enterpriseId);
    await service.branding.clearEnterprise(id, actorOf(req));
    return enterpriseReply(id);
  });
  app.post(
    '/enterprises/:enterpriseId/branding/logos',
    {
      bodyLimit: 2 * MAX_LOGO_BYTES,
      schema: {
        tags,
        summary: `Upload a logo file as the request body: a PNG (content-type image/png) or an SVG (image/svg+xml), at most ${MAX_LOGO_BYTES / 1024} kB. An SVG is parsed strictly and refused, naming the element or attribute, unless it is plain drawing (no script, event handler, external reference, DOCTYPE). Answers its SHA-256, to name in PUT .../branding`,
        params: EnterpriseParams,
        response: created(LogoReply),
      },
    },
    async (req, reply) => {
      const id = enterpriseIn(req, req.params.enterpriseId);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!Buffer.isBuffer(req.body)) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the logo file itself as the body, with content-type image/png or image/svg+xml', 'headers.content-type');
      const ref = await service.branding.upload(id, type, req.body, actorOf(req));
      return reply.code(201).send({ logo: logo(ref) });
    },
  );

  app.get('/banks/:bankId/branding', { schema: { tags, summary: "A bank's override of its enterprise's branding, and what its kiosk shows", params: BankParams, response: ok(BankReply) } }, async (req) =>
    bankReply(bankIn(req, req.params.bankId)),
  );
  app.put(
    '/banks/:bankId/branding',
    { schema: { tags, summary: "Set the bank's own colours or logo over its enterprise's (a part left out: the enterprise's)", params: BankParams, body: brandingInput, response: ok(BankReply) } },
    async (req) => {
      const id = bankIn(req, req.params.bankId);
      await service.branding.setBank(id, req.body, actorOf(req));
      return bankReply(id);
    },
  );
  app.delete('/banks/:bankId/branding', { schema: { tags, summary: "Remove the bank's override: it shows its enterprise's branding", params: BankParams, response: ok(BankReply) } }, async (req) => {
    const id = bankIn(req, req.params.bankId);
    await service.branding.clearBank(id, actorOf(req));
    return bankReply(id);
  });
};

/** `GET /branding/{sha256}`: a logo file, public (registered outside the API prefix). */
export const brandingAssetRoute: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  app.get('/branding/:sha256', { schema: { hide: true, params: AssetParams } }, async (req, reply) => {
    const asset = service.branding.asset(req.params.sha256);
    if (!asset) throw new ApiError('NOT_FOUND', `no logo ${req.params.sha256}`, 'params.sha256');
    void reply.headers({ ...LOGO_HEADERS, 'content-type': asset.type, ...(asset.type === 'image/svg+xml' ? { 'content-security-policy': SVG_CSP } : {}) });
    return reply.send(Buffer.from(asset.data, 'base64'));
  });
};
