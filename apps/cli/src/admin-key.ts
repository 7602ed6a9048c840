import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrmConfig } from '@crm/config';

/** The admin key: from CRM_API_KEYS if configured there, else the one the embedded default keeps in its data folder. */
export function adminKey(config: CrmConfig): string | undefined {
  const configured = config.apiKeys?.find((k) => k.role === 'admin')?.key;
  if (configured) return configured;
  const file = join(config.dataDir, 'api-keys.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { key: string; role: string }[]).find((k) => k.role === 'admin')?.key;
}
