/**
 * Lockers after creation: edited, deleted, the rear shelves' barcodes generated ("Configure Lockers") and printed as
 * Code 128 or QR, SVG or PNG. Creating, listing and the service state stay in routes/model.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { generateShelfBarcodesInput, updateLockerInput } from '../../domain/model.ts';
import { barcodeQuery, IMAGE_TYPES, renderBarcode, type ImageFormat } from '../barcode.ts';
import { ERRORS, Replies } from '../schemas.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, ok, BankParams, LockerParams } from './common.ts';

const tags = ['lockers'];

export const lockerRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const lockers = service.lockerAdmin;
  // A bank outside the caller's enterprise or access level answers 404, as if it did not exist.
  const bankIn = (req: FastifyRequest, id: string): string => (scopeOf(req, service.store).requireBank(id, 'params.bankId'), id);

  app.patch(
    '/banks/:bankId/lockers/:number',
    {
      schema: {
        tags,
        summary:
          'Change a locker: size, dimensions, door heights, front/rear, shelf barcode, dedication (null removes). While a reservation holds it, it may grow but not shrink, keeps its loading side, its dedication must include the recipient, and its door stays in reach for a recipient who needs it',
        params: LockerParams,
        body: updateLockerInput,
        response: ok(Replies.lockerView),
      },
    },
    async (req) => lockers.updateLocker(bankIn(req, req.params.bankId), req.params.number, req.body, actorOf(req)),
  );
  app.delete(
    '/banks/:bankId/lockers/:number',
    { schema: { tags, summary: 'Delete a locker (refused while a reservation holds it)', params: LockerParams, response: ok(Replies.locker) } },
    async (req) => ({ locker: await lockers.deleteLocker(bankIn(req, req.params.bankId), req.params.number, actorOf(req)) }),
  );
  app.post(
    '/banks/:bankId/shelf-barcodes',
    {
      schema: {
        tags,
        summary: 'Generate new shelf barcodes for rear-loading lockers of a bank (the numbers given, or every one); unique across the platform',
        params: BankParams,
        body: generateShelfBarcodesInput,
        response: ok(Replies.lockers),
      },
    },
    async (req) => ({ lockers: await lockers.generateShelfBarcodes(bankIn(req, req.params.bankId), req.body, actorOf(req)) }),
  );

  for (const format of ['svg', 'png'] as const satisfies readonly ImageFormat[]) {
    app.get(
      `/banks/:bankId/lockers/:number/barcode.${format}`,
      {
        schema: {
          tags,
          summary: `The shelf barcode of a rear-loading locker as a printable ${format.toUpperCase()} (Code 128 by default, or QR)`,
          params: LockerParams,
          querystring: barcodeQuery('code128'),
          response: { 200: { description: 'the image', content: { [IMAGE_TYPES[format]]: { schema: z.string() } } }, ...ERRORS },
        },
      },
      async (req, reply) => {
        const text = await lockers.shelfBarcode(bankIn(req, req.params.bankId), req.params.number);
        const image = await renderBarcode(req.query.symbology, format, text);
        return reply.header('content-type', IMAGE_TYPES[format]).send(image as never);
      },
    );
  }
};
