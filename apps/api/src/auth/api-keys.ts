import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiRole, CrmConfig } from '@crm/config';
import { fingerprint, type Principal, principalOf } from './principal';

export const API_KEYS = Symbol('API_KEYS');
const ROLES: ApiRole[] = ['service', 'auditor', 'analyst', 'admin'];

export interface ApiKeys {
  /** sha256(key) -> principal; the keys themselves are not kept in memory longer than needed. */
  byFingerprint: Map<string, Principal>;
  /** Keys generated on this start (embedded default, first run): printed once, then only in the data folder. */
  generated: { role: ApiRole; key: string }[];
  file?: string;
}

function index(entries: { key: string; role: ApiRole }[]): Map<string, Principal> {
  return new Map(entries.map(({ key, role }) => [fingerprint(key), principalOf(key, role)]));
}

/** Keys from CRM_API_KEYS; without them (embedded default only) one key per role kept in the data folder. */
export function resolveApiKeys(config: CrmConfig): ApiKeys {
  if (config.apiKeys) return { byFingerprint: index(config.apiKeys), generated: [] };
  const file = join(config.dataDir, 'api-keys.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string; role: ApiRole }[];
    return { byFingerprint: index(stored), generated: [], file };
  }
  const generated = ROLES.map((role) => ({ role, key: `crm_${role}_${randomBytes(24).toString('base64url')}` }));
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600, flag: 'wx' });
  return { byFingerprint: index(generated), generated, file };
}
