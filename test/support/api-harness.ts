import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@crm/config';
import { resolveApiKeys } from '../../apps/api/src/auth/api-keys';
import { createApiApp } from '../../apps/api/src/create-api-app';
import type { Clock } from '@crm/platform';
import { mongoUrlFor, withMongo } from './mongo';

export const KEYS = {
  service: 'test-service-key-0000000001',
  auditor: 'test-auditor-key-0000000002',
  analyst: 'test-analyst-key-0000000003',
  admin: 'test-admin-key-00000000000004',
} as const;
export type TestRole = keyof typeof KEYS;

/**
 * Which components a test API runs on. `embedded`: the default, no servers. `servers`: Kafka feed
 * and MongoDB read models and write-side stores (the production path in one process), on the servers
 * named by KAFKA_BROKERS and MONGO_URL, with a database and a topic namespace of its own. The suites
 * under test/read run on both (CRM_TEST_STACK=servers, the e2e-servers project of jest.config.js).
 */
export type TestStack = 'embedded' | 'servers';

export function testStack(): TestStack {
  return process.env.CRM_TEST_STACK === 'servers' ? 'servers' : 'embedded';
}

interface ServerScope {
  env: Record<string, string>;
  database: string;
}

function serverScope(): ServerScope {
  const { KAFKA_BROKERS, MONGO_URL } = process.env;
  if (!KAFKA_BROKERS || !MONGO_URL) throw new Error('CRM_TEST_STACK=servers needs KAFKA_BROKERS and MONGO_URL (npm run infra:up)');
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const database = `crm_e2e_${id}`;
  // Read-your-writes waits longer: on a busy 2-core machine a batch through broker and document
  // server can take seconds, and these suites check results, not latency (bench:pipeline does).
  const env = { KAFKA_BROKERS, MONGO_URL: mongoUrlFor(MONGO_URL, database), CRM_KAFKA_NAMESPACE: `e2e-${id}`, CRM_FRESHNESS_WAIT_MS: '15000' };
  return { database, env };
}

export interface TestApi {
  app: NestFastifyApplication;
  stack: TestStack;
  /** On the servers stack: the MongoDB database holding its read models and stores. */
  database: string | null;
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
  /** Default: testStack(). */
  stack?: TestStack;
  /** Kept across restarts on the servers stack. */
  scope?: ServerScope;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const stack = options.stack ?? testStack();
  const scope = stack === 'servers' ? (options.scope ?? serverScope()) : undefined;
  const config = loadConfig({
    ...scope?.env,
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
    stack,
    database: scope?.database ?? null,
    dataDir,
    http: () => request(app.getHttpServer()),
    auth: (role) => ({ Authorization: `Bearer ${KEYS[role]}` }),
    close,
    restart: async () => {
      await close();
      return startTestApi({ ...options, dataDir, stack, scope });
    },
    destroy: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
      if (scope) await withMongo(scope.env.MONGO_URL, (client) => client.db().dropDatabase());
    },
  };
  return api;
}
