/**
 * Carriers after creation: read, renamed, deleted (its access codes and kiosk badges revoked with it), and a live
 * access code as a printable QR code. Creating, listing and issuing or revoking codes stay in routes/model.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { updateCarrierInput } from '../../domain/model.ts';
import { barcodeQuery, IMAGE_TYPES, renderBarcode, type ImageFormat } from '../barcode.ts';
import { ERRORS, Replies } from '../schemas.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, ok, CarrierCodeParams, CarrierParams } from './common.ts';

const tags = ['people'];

export const carrierRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const carriers = service.carrierAdmin;
  // Another enterprise's carriers and codes answer 404, as if they did not exist.
  const carrierIn = (req: FastifyRequest, id: string): string => (scopeOf(req, service.store).requireCarrier(id), id);
  const codeIn = (req: FastifyRequest, id: string): string => (scopeOf(req, service.store).requireCarrierCode(id), id);

  app.get('/carriers/:carrierId', { schema: { tags, summary: 'One carrier', params: CarrierParams, response: ok(Replies.carrier) } }, async (req) => ({
    carrier: await carriers.getCarrier(carrierIn(req, req.params.carrierId)),
  }));
  app.patch(
    '/carriers/:carrierId',
    { schema: { tags, summary: 'Rename a carrier', params: CarrierParams, body: updateCarrierInput, response: ok(Replies.carrier) } },
    async (req) => ({ carrier: await carriers.updateCarrier(carrierIn(req, req.params.carrierId), req.body, actorOf(req)) }),
  );
  app.delete(
    '/carriers/:carrierId',
    {
      schema: {
        tags,
        summary: 'Delete a carrier (refused while a live reservation names it or a login belongs to it); its access codes and kiosk badges are revoked',
        params: CarrierParams,
        response: ok(Replies.carrier),
      },
    },
    async (req) => ({ carrier: await carriers.deleteCarrier(carrierIn(req, req.params.carrierId), actorOf(req)) }),
  );

  for (const format of ['svg', 'png'] as const satisfies readonly ImageFormat[]) {
    app.get(
      `/carrier-codes/:carrierCodeId/qr.${format}`,
      {
        schema: {
          tags,
          summary: `A live carrier access code as a printable ${format.toUpperCase()} (QR by default, or Code 128) holding the code the kiosk's scanner and keypad accept; each print is in the activity log`,
          params: CarrierCodeParams,
          querystring: barcodeQuery('qrcode'),
          response: { 200: { description: 'the image', content: { [IMAGE_TYPES[format]]: { schema: z.string() } } }, ...ERRORS },
        },
      },
      async (req, reply) => {
        const { code } = await carriers.carrierCodeForPrint(codeIn(req, req.params.carrierCodeId), actorOf(req));
        const image = await renderBarcode(req.query.symbology, format, code);
        // The image holds the code in clear: no cache keeps it.
        return reply.header('content-type', IMAGE_TYPES[format]).header('cache-control', 'no-store').send(image as never);
      },
    );
  }
};
