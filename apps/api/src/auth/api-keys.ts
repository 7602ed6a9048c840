import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiRole, CrmConfig } from '@crm/config';
import { fingerprint, type Principal, principalOf } from './principal';

export const API_KEYS = Symbol('API_KEYS');
const ROLES: ApiRole[] = ['service', 'auditor', 'analyst', 'admin'];

const BEARER = /^Bearer\s+(\S+)$/i;

/** Known keys by sha256; the Authorization headers seen lately are remembered, to hash once not per request. */
export class ApiKeys {
  private readonly byFingerprint: Map<string, Principal>;
  private readonly recent = new Map<string, Principal | null>();

  constructor(
    entries: { key: string; role: ApiRole }[],
    /** Keys generated on this start (embedded default, first run): printed once, then only in the data folder. */
    readonly generated: { role: ApiRole; key: string }[] = [],
    readonly file?: string,
  ) {
    this.byFingerprint = new Map(entries.map(({ key, role }) => [fingerprint(key), principalOf(key, role)]));
  }

  /** The principal of an `Authorization: Bearer <key>` header, or null. */
  resolve(authorization: string | undefined): Principal | null {
    if (authorization === undefined) return null;
    let principal = this.recent.get(authorization);
    if (principal === undefined) {
      const match = BEARER.exec(authorization);
      principal = (match && this.byFingerprint.get(fingerprint(match[1]))) ?? null;
      if (this.recent.size >= 1024) this.recent.clear();
      this.recent.set(authorization, principal);
    }
    return principal;
  }
}

/** Keys from CRM_API_KEYS; without them (embedded default only) one key per role kept in the data folder. */
export function resolveApiKeys(config: CrmConfig): ApiKeys {
  if (config.apiKeys) return new ApiKeys(config.apiKeys);
  const file = join(config.dataDir, 'api-keys.json');
  if (existsSync(file)) return new ApiKeys(JSON.parse(readFileSync(file, 'utf8')) as { key: string; role: ApiRole }[], [], file);
  const generated = ROLES.map((role) => ({ role, key: `crm_${role}_${randomBytes(24).toString('base64url')}` }));
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600, flag: 'wx' });
  return new ApiKeys(generated, generated, file);
}
