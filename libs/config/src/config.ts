import { isAbsolute, resolve } from 'node:path';
import { type ApiRole, configSchema, type RawConfig } from './config.schema';

export type { ApiRole };

export interface CrmConfig {
  env: RawConfig['NODE_ENV'];
  http: { host: string; port: number; bodyLimitBytes: number; rateLimitPerMinute: number };
  dataDir: string;
  apiKeys: { key: string; role: ApiRole }[] | undefined;
  currency: string;
  phoneRegion: string;
  idempotencyTtlMs: number;
  stateCacheSize: number;
  maxFutureSkewMs: number;
  logLevel: RawConfig['CRM_LOG_LEVEL'];
  segmentation: { windowDays: number; vipShare: number; importantShare: number; newDays: number; loyalMinPurchases: number; loyalTenureDays: number };
  freshnessWaitMs: number;
  /** Events the in-process projector folds and commits together at most. */
  projectorBatchSize: number;
  /** What this process runs; `npm start` runs all three, each app's own start script one. */
  roles: ('api' | 'relay' | 'projector')[];
  /** Which production components to use follows from which settings are present (SPEC: Configuration). */
  esdbConnectionString: string | undefined;
  kafkaBrokers: string[] | undefined;
  /** Prefix of topic and consumer-group names (none: SPEC's names). */
  kafkaNamespace: string | undefined;
  mongoUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The one place that reads the environment (CONVENTIONS 13). */
export function loadConfig(env: Record<string, string | undefined> = process.env): CrmConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const c = parsed.data;
  return {
    env: c.NODE_ENV,
    http: { host: c.HOST, port: c.PORT, bodyLimitBytes: c.CRM_BODY_LIMIT_BYTES, rateLimitPerMinute: c.CRM_RATE_LIMIT_PER_MINUTE },
    dataDir: isAbsolute(c.CRM_DATA_DIR) ? c.CRM_DATA_DIR : resolve(c.CRM_DATA_DIR),
    apiKeys: c.CRM_API_KEYS,
    currency: c.CRM_CURRENCY,
    phoneRegion: c.CRM_PHONE_REGION,
    idempotencyTtlMs: c.CRM_IDEMPOTENCY_TTL_HOURS * 3_600_000,
    stateCacheSize: c.CRM_STATE_CACHE_SIZE,
    maxFutureSkewMs: c.CRM_MAX_FUTURE_SKEW_SECONDS * 1000,
    logLevel: c.CRM_LOG_LEVEL,
    segmentation: {
      windowDays: c.CRM_SEG_WINDOW_DAYS,
      vipShare: c.CRM_SEG_VIP_SHARE,
      importantShare: c.CRM_SEG_IMPORTANT_SHARE,
      newDays: c.CRM_SEG_NEW_DAYS,
      loyalMinPurchases: c.CRM_SEG_LOYAL_MIN_PURCHASES,
      loyalTenureDays: c.CRM_SEG_LOYAL_TENURE_DAYS,
    },
    freshnessWaitMs: c.CRM_FRESHNESS_WAIT_MS,
    projectorBatchSize: c.CRM_PROJECTOR_BATCH_SIZE,
    roles: c.CRM_ROLES,
    esdbConnectionString: c.ESDB_CONNECTION_STRING,
    kafkaBrokers: c.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean),
    kafkaNamespace: c.CRM_KAFKA_NAMESPACE,
    mongoUrl: c.MONGO_URL,
  };
}
