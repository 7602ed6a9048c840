import { createHash } from 'node:crypto';
import type { ApiRole } from '@crm/config';

export interface Principal {
  /** A non-secret label of the key, recorded as the actor of what it does. */
  id: string;
  role: ApiRole;
}

export function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function principalOf(key: string, role: ApiRole): Principal {
  return { id: `key-${fingerprint(key).slice(0, 12)}`, role };
}
