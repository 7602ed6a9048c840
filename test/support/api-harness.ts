import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@crm/config';
import { resolveApiKeys } from '../../apps/api/src/auth/api-keys';
import { createApiApp } from '../../apps/api/src/create-api-app';
import type { Clock } from '@crm/platform';

export const KEYS = {
  service: 'test-service-key-0000000001',
  auditor: 'test-auditor-key-0000000002',
  analyst: 'test-analyst-key-0000000003',
  admin: 'test-admin-key-00000000000004',
} as const;
export type TestRole = keyof typeof KEYS;

export interface TestApi {
  app: NestFastifyApplication;
  dataDir: string;
  http: () => ReturnType<typeof request>;
  auth: (role: TestRole) => { Authorization: string };
  /** Closes the app; the data folder stays until `destroy`. */
  close: () => Promise<void>;
  /** Closes and starts again on the same data folder, as after a restart. */
  restart: () => Promise<TestApi>;
  destroy: () => Promise<void>;
}

export interface TestApiOptions {
  dataDir?: string;
  env?: Record<string, string>;
  clock?: Clock;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const config = loadConfig({
    CRM_DATA_DIR: dataDir,
    CRM_API_KEYS: Object.entries(KEYS)
      .map(([role, key]) => `${key}:${role}`)
      .join(','),
    CRM_LOG_LEVEL: 'error',
    ...options.env,
  });
  const app = await createApiApp(config, { apiKeys: resolveApiKeys(config), clock: options.clock });
  await app.getHttpAdapter().getInstance().ready();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  const api: TestApi = {
    app,
    dataDir,
    http: () => request(app.getHttpServer()),
    auth: (role) => ({ Authorization: `Bearer ${KEYS[role]}` }),
    close,
    restart: async () => {
      await close();
      return startTestApi({ ...options, dataDir });
    },
    destroy: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}
