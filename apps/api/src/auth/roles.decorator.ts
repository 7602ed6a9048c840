import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '@crm/config';

export const ROLES_KEY = 'crm:roles';
export const PUBLIC_KEY = 'crm:public';

/** Roles allowed on a route; `admin` may do everything. Without this decorator any valid key is enough. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);
