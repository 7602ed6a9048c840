import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApi, TestRole } from './api-harness';
import { newCustomer } from './customers';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** `days` (and `ms`) before the ISO time `at`, as ISO: business times are written relative to a reference. */
export function before(at: string, days: number, ms = 0): string {
  return new Date(Date.parse(at) - days * DAY_MS - ms).toISOString();
}

export function after(at: string, days: number, ms = 0): string {
  return before(at, -days, -ms);
}

type Method = 'post' | 'patch' | 'put' | 'delete';

/**
 * Sends commands as the `service` role (erasure as `admin`) and remembers the highest position a
 * reply reported, so that reads can ask for it (read-your-writes) instead of sleeping.
 */
export class Writer {
  position = 0;

  constructor(private readonly api: TestApi) {}

  async send(method: Method, path: string, body?: object, role: TestRole = 'service'): Promise<Record<string, any>> {
    const req = this.api.http()[method](path).set(this.api.auth(role));
    const res = body === undefined ? await req : await req.send(body);
    if (res.status >= 300) throw new Error(`${method.toUpperCase()} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
    this.position = Math.max(this.position, res.body.position);
    return res.body;
  }

  /** Acquires a customer (personal data from `newCustomer`) and returns its id and the body sent. */
  async acquire(overrides: Record<string, unknown> = {}): Promise<{ customerId: string; body: Record<string, any>; revision: number; position: number }> {
    const body = newCustomer(overrides);
    const reply = await this.send('post', '/v1/customers', body);
    return { customerId: reply.customerId, body, revision: reply.revision, position: reply.position };
  }

  contact(id: string, occurredAt: string, extra: Record<string, unknown> = {}) {
    return this.send('post', `/v1/customers/${id}/contacts`, { channel: 'phone', direction: 'outbound', outcome: 'reached', occurredAt, ...extra });
  }

  purchase(id: string, occurredAt: string, amountMinor: number, orderId = `o-${randomUUID()}`) {
    return this.send('post', `/v1/customers/${id}/purchases`, { orderId, amountMinor, currency: 'CNY', occurredAt });
  }

  complaint(id: string, occurredAt: string, severity: string, complaintId = `c-${randomUUID().slice(0, 8)}`, description = 'late delivery') {
    return this.send('post', `/v1/customers/${id}/complaints`, { complaintId, category: 'delivery', severity, description, occurredAt });
  }

  resolve(id: string, complaintId: string, occurredAt: string, extra: Record<string, unknown> = {}) {
    return this.send('post', `/v1/customers/${id}/complaints/${complaintId}/resolution`, { resolution: 'refunded', occurredAt, ...extra });
  }

  feedback(id: string, occurredAt: string, scores: { csat?: number; nps?: number; comment?: string }) {
    return this.send('post', `/v1/customers/${id}/feedback`, { ...scores, occurredAt });
  }

  churn(id: string, occurredAt: string, reason = 'moved away') {
    return this.send('post', `/v1/customers/${id}/churn`, { reason, occurredAt });
  }

  reactivate(id: string, occurredAt: string, reason = 'came back') {
    return this.send('post', `/v1/customers/${id}/reactivation`, { reason, occurredAt });
  }

  assignOwner(id: string, ownerId: string, occurredAt?: string) {
    return this.send('put', `/v1/customers/${id}/owner`, { ownerId, ...(occurredAt && { occurredAt }) });
  }

  updateProfile(id: string, changes: Record<string, unknown>) {
    return this.send('patch', `/v1/customers/${id}/profile`, changes);
  }

  erase(id: string) {
    return this.send('delete', `/v1/customers/${id}/personal-data`, undefined, 'admin');
  }
}

/** GET as `role` (analyst by default), asking for at least `minPosition` when given. */
export function read(api: TestApi, path: string, options: { role?: TestRole; minPosition?: number } = {}): Promise<Response> {
  const url = options.minPosition === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}minPosition=${options.minPosition}`;
  return api.http().get(url).set(api.auth(options.role ?? 'analyst')) as unknown as Promise<Response>;
}

/** GET that must answer 200; returns the body. */
export async function readOk(api: TestApi, path: string, options: { role?: TestRole; minPosition?: number } = {}): Promise<Record<string, any>> {
  const res = await read(api, path, options);
  if (res.status !== 200) throw new Error(`GET ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every item of a paged listing, following `nextCursor`; also returns how many pages it took. */
export async function allPages(
  api: TestApi,
  path: string,
  options: { minPosition?: number } = {},
): Promise<{ items: Record<string, any>[]; pages: number }> {
  const items: Record<string, any>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const body = await readOk(api, cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, options);
    items.push(...body.items);
    cursor = body.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('paging does not end');
  } while (cursor);
  return { items, pages };
}

/** Runs `tasks` with at most `width` in flight: bulk set-up without flooding the in-process server. */
export async function inBatches<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
