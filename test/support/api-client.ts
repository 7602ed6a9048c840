import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApi, TestRole } from './api-harness';
import { newCustomer } from './customers';

/** One line of `GET /v1/audit/events` (and one item of a customer's history). */
export interface AuditedEvent {
  eventId: string;
  customerId: string;
  type: string;
  revision: number;
  position: number;
  data: Record<string, any>;
  metadata: Record<string, any>;
}

export interface CommandReply {
  customerId: string;
  revision: number;
  position: number;
}

/** Reads the global log as NDJSON (as auditor): the raw reply and its lines parsed. */
export async function exportLog(api: TestApi, query = ''): Promise<{ res: Response; events: AuditedEvent[] }> {
  const res = await api.http().get(`/v1/audit/events${query}`).set(api.auth('auditor'));
  expect(res.status).toBe(200);
  const text = res.text ?? '';
  const events = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditedEvent);
  return { res, events };
}

export interface LogHead {
  count: number;
  lastPosition: number;
}

/** How many events the global log holds and the position of the newest one (0 when empty). */
export async function logHead(api: TestApi): Promise<LogHead> {
  const { events } = await exportLog(api);
  return { count: events.length, lastPosition: events.length === 0 ? 0 : events[events.length - 1].position };
}

/** Runs `act` and asserts the global log did not change meanwhile: a rejected command stores nothing. */
export async function expectNothingStored<T>(api: TestApi, act: () => Promise<T>): Promise<T> {
  const before = await logHead(api);
  const result = await act();
  expect(await logHead(api)).toEqual(before);
  return result;
}

/** Asserts the SPEC's error shape exactly: `{ error: { code, message, details? } }` and nothing else. */
export function expectApiError(res: Response, status: number, code: string, details?: Record<string, unknown>): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  const keys = Object.keys(res.body.error).sort();
  expect(keys.filter((k) => k !== 'details')).toEqual(['code', 'message']);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  if (keys.includes('details')) expect(typeof res.body.error.details).toBe('object');
  if (details !== undefined) expect(res.body.error.details).toEqual(details);
}

/** Sends a command that must be rejected with `status`/`code`, and checks nothing was stored. */
export async function expectRejected(
  api: TestApi,
  send: () => Promise<Response>,
  status: number,
  code: string,
  details?: Record<string, unknown>,
): Promise<Response> {
  const res = await expectNothingStored(api, send);
  expectApiError(res, status, code, details);
  return res;
}

/** Field names listed by a VALIDATION_FAILED reply. */
export function failedFields(res: Response): string[] {
  return (res.body.error.details.fields as { field: string }[]).map((f) => f.field).sort();
}

/** Acquires a customer (201 expected) and returns its id and the body sent. */
export async function acquire(api: TestApi, overrides: Record<string, unknown> = {}) {
  const body = newCustomer(overrides);
  const res = await api.http().post('/v1/customers').set(api.auth('service')).send(body);
  expect(res.status).toBe(201);
  return { customerId: res.body.customerId as string, body, reply: res.body as CommandReply };
}

export async function historyOf(api: TestApi, customerId: string, query = ''): Promise<AuditedEvent[]> {
  const res = await api.http().get(`/v1/customers/${customerId}/history${query}`).set(api.auth('auditor'));
  expect(res.status).toBe(200);
  return res.body.events;
}

export async function stateOf(api: TestApi, customerId: string, query = ''): Promise<Record<string, any>> {
  const res = await api.http().get(`/v1/customers/${customerId}/state${query}`).set(api.auth('auditor'));
  expect(res.status).toBe(200);
  return res.body;
}

/** A random valid Chinese mobile number, national form (the default region is CN). */
export function nationalMobile(): string {
  return `139${Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0')}`;
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** Every endpoint of the command and audit API, with a valid body and the role it is meant for. */
export interface Endpoint {
  name: string;
  method: Method;
  path: (customerId: string) => string;
  body?: () => Record<string, unknown>;
  role: Exclude<TestRole, 'analyst'>;
  /** Writes to the log when it succeeds. */
  command: boolean;
}

export const COMMAND_ENDPOINTS: Endpoint[] = [
  { name: 'acquire customer', method: 'post', path: () => '/v1/customers', body: () => newCustomer(), role: 'service', command: true },
  {
    name: 'record contact',
    method: 'post',
    path: (id) => `/v1/customers/${id}/contacts`,
    body: () => ({ channel: 'phone', direction: 'outbound', outcome: 'reached', summary: 'called' }),
    role: 'service',
    command: true,
  },
  {
    name: 'record purchase',
    method: 'post',
    path: (id) => `/v1/customers/${id}/purchases`,
    body: () => ({ orderId: `o-${randomUUID()}`, amountMinor: 1200, currency: 'CNY' }),
    role: 'service',
    command: true,
  },
  {
    name: 'file complaint',
    method: 'post',
    path: (id) => `/v1/customers/${id}/complaints`,
    body: () => ({ category: 'delivery', severity: 'low', description: 'late' }),
    role: 'service',
    command: true,
  },
  {
    name: 'resolve complaint',
    method: 'post',
    path: (id) => `/v1/customers/${id}/complaints/c-unknown/resolution`,
    body: () => ({ resolution: 'refunded', satisfaction: 4 }),
    role: 'service',
    command: true,
  },
  { name: 'give feedback', method: 'post', path: (id) => `/v1/customers/${id}/feedback`, body: () => ({ csat: 4, nps: 8 }), role: 'service', command: true },
  { name: 'churn customer', method: 'post', path: (id) => `/v1/customers/${id}/churn`, body: () => ({ reason: 'moved away' }), role: 'service', command: true },
  { name: 'reactivate customer', method: 'post', path: (id) => `/v1/customers/${id}/reactivation`, body: () => ({ reason: 'came back' }), role: 'service', command: true },
  { name: 'update profile', method: 'patch', path: (id) => `/v1/customers/${id}/profile`, body: () => ({ region: `r-${randomUUID().slice(0, 8)}` }), role: 'service', command: true },
  { name: 'assign owner', method: 'put', path: (id) => `/v1/customers/${id}/owner`, body: () => ({ ownerId: `u-${randomUUID().slice(0, 8)}` }), role: 'service', command: true },
  { name: 'erase personal data', method: 'delete', path: (id) => `/v1/customers/${id}/personal-data`, role: 'admin', command: true },
];

export const AUDIT_ENDPOINTS: Endpoint[] = [
  { name: 'customer history', method: 'get', path: (id) => `/v1/customers/${id}/history`, role: 'auditor', command: false },
  { name: 'customer state', method: 'get', path: (id) => `/v1/customers/${id}/state`, role: 'auditor', command: false },
  { name: 'audit export', method: 'get', path: () => '/v1/audit/events', role: 'auditor', command: false },
];

/** Commands addressed to an existing customer (all but acquisition). */
export const CUSTOMER_COMMANDS = COMMAND_ENDPOINTS.filter((e) => e.name !== 'acquire customer');

/** Sends `endpoint` for `customerId` with `role`'s key (or the body given). */
export function call(api: TestApi, endpoint: Endpoint, customerId: string, role: TestRole = endpoint.role, body?: unknown) {
  const req = api.http()[endpoint.method](endpoint.path(customerId)).set(api.auth(role));
  const payload = body ?? endpoint.body?.();
  return payload === undefined ? req : req.send(payload as object);
}
