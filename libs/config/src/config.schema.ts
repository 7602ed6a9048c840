import { z } from 'zod';

const ROLES = ['service', 'auditor', 'analyst', 'admin'] as const;
export type ApiRole = (typeof ROLES)[number];

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const apiKeys = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const entries: { key: string; role: ApiRole }[] = [];
    for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const at = item.lastIndexOf(':');
      const key = item.slice(0, at);
      const role = item.slice(at + 1) as ApiRole;
      if (at <= 0 || !ROLES.includes(role)) {
        ctx.addIssue({ code: 'custom', message: `each entry must be key:role with role one of ${ROLES.join(', ')}` });
        return z.NEVER;
      }
      if (key.length < 16) {
        ctx.addIssue({ code: 'custom', message: 'each key must be at least 16 characters long' });
        return z.NEVER;
      }
      entries.push({ key, role });
    }
    return entries.length > 0 ? entries : undefined;
  })
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const days = (fallback: number) => z.coerce.number().positive().default(fallback);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    CRM_DATA_DIR: z.string().min(1).default('./data'),
    CRM_API_KEYS: apiKeys,
    CRM_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY')
      .default('CNY'),
    CRM_PHONE_REGION: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 region such as CN')
      .default('CN'),
    CRM_BODY_LIMIT_BYTES: positiveInt(64 * 1024),
    CRM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(300_000),
    CRM_IDEMPOTENCY_TTL_HOURS: positiveInt(24),
    CRM_STATE_CACHE_SIZE: positiveInt(50_000),
    CRM_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).default(300),
    CRM_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    CRM_SEG_WINDOW_DAYS: days(365),
    CRM_SEG_VIP_SHARE: z.coerce.number().gt(0).lt(1).default(0.1),
    CRM_SEG_IMPORTANT_SHARE: z.coerce.number().gt(0).lt(1).default(0.2),
    CRM_SEG_NEW_DAYS: days(90),
    CRM_SEG_LOYAL_MIN_PURCHASES: positiveInt(4),
    CRM_SEG_LOYAL_TENURE_DAYS: days(180),
    CRM_FRESHNESS_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2_000),
    CRM_PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
    CRM_ROLES: z
      .string()
      .default('api,relay,projector')
      .transform((raw, ctx) => {
        const roles = raw.split(',').map((r) => r.trim()).filter(Boolean);
        const unknown = roles.filter((r) => !['api', 'relay', 'projector'].includes(r));
        if (roles.length === 0 || unknown.length > 0) {
          ctx.addIssue({ code: 'custom', message: 'must list roles among api, relay, projector' });
          return z.NEVER;
        }
        return roles as ('api' | 'relay' | 'projector')[];
      }),
    ESDB_CONNECTION_STRING: optionalString,
    KAFKA_BROKERS: optionalString,
    // Not in SPEC: a prefix for topic and consumer-group names when deployments share a cluster.
    CRM_KAFKA_NAMESPACE: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{0,64}$/, 'letters, digits, _ and - only (at most 64)')
      .transform((s) => (s === '' ? undefined : s))
      .optional(),
    MONGO_URL: optionalString,
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.CRM_API_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['CRM_API_KEYS'], message: 'is required in production (key:role,key:role)' });
    }
    if (c.CRM_SEG_VIP_SHARE + c.CRM_SEG_IMPORTANT_SHARE >= 1) {
      ctx.addIssue({ code: 'custom', path: ['CRM_SEG_IMPORTANT_SHARE'], message: 'vip and important shares must add up to less than 1' });
    }
  });

export type RawConfig = z.output<typeof configSchema>;
