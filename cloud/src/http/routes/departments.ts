import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createDepartmentBody, entityIdSchema, updateDepartmentInput } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { Replies } from '../schemas.ts';
import { addressBookView } from './address-book-view.ts';
import { actorOf, created, ok } from './common.ts';
import { notFound } from '../../domain/errors.ts';

const DepartmentParams = z.strictObject({ departmentId: entityIdSchema });

/**
 * Departments of the address book (tag `addressBook`): list, add, get, edit (name, members, key contact), delete.
 * Without the address-book permission these URLs answer 404 (access.ts `hidden`).
 */
export const departmentRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const departments = service.addressBook.departments;
  const visible = async (req: Parameters<typeof addressBookView>[0], id: string) => {
    const d = await departments.get(id);
    if (!addressBookView(req, service.store).department(d)) throw notFound('department', id, 'departmentId');
    return d;
  };

  app.get('/departments', { schema: { tags: ['addressBook'], summary: 'List departments', response: ok(Replies.departments) } }, async (req) => ({
    departments: departments.list().filter(addressBookView(req, service.store).department),
  }));
  app.post(
    '/departments',
    { schema: { tags: ['addressBook'], summary: 'Add a department with its members and key contact', body: createDepartmentBody, response: created(Replies.department) } },
    async (req, reply) => reply.code(201).send({ department: await departments.create({ ...req.body, enterpriseId: addressBookView(req, service.store).enterpriseId }, actorOf(req)) }),
  );
  app.get('/departments/:departmentId', { schema: { tags: ['addressBook'], summary: 'One department', params: DepartmentParams, response: ok(Replies.department) } }, async (req) => ({
    department: await visible(req, req.params.departmentId),
  }));
  app.patch(
    '/departments/:departmentId',
    {
      schema: {
        tags: ['addressBook'],
        summary: 'Edit a department: name, members (the list replaces them), key contact (who may collect its parcels; null removes)',
        params: DepartmentParams,
        body: updateDepartmentInput,
        response: ok(Replies.department),
      },
    },
    async (req) => {
      await visible(req, req.params.departmentId);
      return { department: await departments.update(req.params.departmentId, req.body, actorOf(req)) };
    },
  );
  app.delete(
    '/departments/:departmentId',
    { schema: { tags: ['addressBook'], summary: 'Delete a department; 409 while a live reservation or parcel is for it or a locker is dedicated to it', params: DepartmentParams, response: ok(Replies.department) } },
    async (req) => {
      await visible(req, req.params.departmentId);
      return { department: await departments.delete(req.params.departmentId, actorOf(req)) };
    },
  );
};
