import { predefinedRole, type RoleRecord } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { UserRecord, UserRepo } from './users.ts';

/** Users in the domain store's `users` collection: durable with every other write (fsync before resolving). */
export class StoreUserRepo implements UserRepo {
  constructor(private readonly store: Store) {}

  async getUser(id: string): Promise<UserRecord | undefined> {
    return this.store.get('users', id);
  }
  async findUserByName(username: string): Promise<UserRecord | undefined> {
    const lower = username.toLowerCase();
    // Few users per deployment (staff, carriers, some recipients): a scan is cheaper than keeping an index right.
    return this.store.list('users').find((u) => u.username.toLowerCase() === lower);
  }
  async listUsers(): Promise<UserRecord[]> {
    return this.store.list('users');
  }
  async findRole(enterpriseId: string, roleId: string): Promise<RoleRecord | undefined> {
    const r = predefinedRole(roleId) ?? this.store.get('roles', roleId);
    return r && (r.enterpriseId === undefined || r.enterpriseId === enterpriseId) ? r : undefined;
  }
  async putUser(user: UserRecord): Promise<void> {
    await this.store.commit({ put: [{ c: 'users', key: user.id, value: user }] });
  }
  async deleteUser(id: string): Promise<void> {
    await this.store.commit({ del: [{ c: 'users', key: id }] });
  }
}
