import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { SqliteEventStore } from '@crm/event-store';
import { startServer } from './support/server-process';
import { fmt, summarize } from './support/stats';

// 32 concurrent HTTP clients issuing mixed commands against the embedded default, then, in the
// same run, the event store's raw append rate with the same durability (WAL, an fsync per group commit before any reply).
const COUNT = Number(process.env.BENCH_COUNT ?? 40_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const WARMUP = Math.min(2_000, Math.floor(COUNT / 10));
const SERVICE_KEY = 'bench-service-key-000000000001';
const ROOT = resolve(__dirname, '../..');

type Request = { method: 'POST' | 'PATCH' | 'PUT'; path: string; body: unknown };

/** Each client works on its own customers: realistic mix, no cross-client conflicts. */
function nextRequest(customers: string[], seq: number): Request {
  const roll = Math.random();
  if (customers.length === 0 || roll < 0.12) {
    const customerId = randomUUID();
    customers.push(customerId);
    const n = `${seq}`.padStart(8, '0');
    return {
      method: 'POST',
      path: '/v1/customers',
      body: { customerId, name: `Bench ${n}`, email: `b-${customerId}@example.com`, channel: 'web', type: 'consumer', tags: ['bench'] },
    };
  }
  const id = customers[Math.floor(Math.random() * customers.length)];
  if (roll < 0.4) return { method: 'POST', path: `/v1/customers/${id}/purchases`, body: { orderId: randomUUID(), amountMinor: 100 + Math.floor(Math.random() * 100_000), currency: 'CNY' } };
  if (roll < 0.7) return { method: 'POST', path: `/v1/customers/${id}/contacts`, body: { channel: 'phone', direction: 'outbound', outcome: 'reached', summary: 'called about renewal' } };
  if (roll < 0.82) return { method: 'POST', path: `/v1/customers/${id}/feedback`, body: { csat: 1 + Math.floor(Math.random() * 5), nps: Math.floor(Math.random() * 11) } };
  if (roll < 0.9) return { method: 'POST', path: `/v1/customers/${id}/complaints`, body: { category: 'billing', severity: 'low', description: 'invoice unclear' } };
  if (roll < 0.95) return { method: 'PUT', path: `/v1/customers/${id}/owner`, body: { ownerId: `owner-${Math.floor(Math.random() * 20)}` } };
  return { method: 'PATCH', path: `/v1/customers/${id}/profile`, body: { tags: ['bench', `t${Math.floor(Math.random() * 5)}`] } };
}

async function runHttp(url: string, total: number): Promise<{ seconds: number; latencies: number[]; failures: Map<number, number> }> {
  const pool = new Pool(url, { connections: CLIENTS, pipelining: 1 });
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  let issued = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const customers: string[] = [];
      while (issued < total) {
        const req = nextRequest(customers, issued++);
        const t0 = process.hrtime.bigint();
        const res = await pool.request({
          method: req.method,
          path: req.path,
          headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(req.body),
        });
        await res.body.text();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.statusCode >= 300) failures.set(res.statusCode, (failures.get(res.statusCode) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  return { seconds, latencies, failures };
}

async function runRawStore(dir: string, total: number): Promise<number> {
  const store = new SqliteEventStore(join(dir, 'raw-events.db'));
  const metadata = { eventId: '', commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), actor: { id: 'key-bench', role: 'service' }, occurredAt: new Date().toISOString(), recordedAt: new Date().toISOString(), schemaVersion: 1 };
  let issued = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (issued < total) {
        issued++;
        const eventId = randomUUID();
        await store.append(`customer-${randomUUID()}`, [{ eventId, type: 'PurchaseRecorded', data: { customerId: randomUUID(), orderId: randomUUID(), amountMinor: 12_900, currency: 'CNY' }, metadata: { ...metadata, eventId } }], 'any');
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await store.close();
  return total / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-commands-'));
  const server = await startServer(ROOT, { CRM_DATA_DIR: join(dir, 'data'), CRM_API_KEYS: `${SERVICE_KEY}:service` });
  try {
    await runHttp(server.url, WARMUP);
    const http = await runHttp(server.url, COUNT);
    await server.stop();
    const raw = await runRawStore(dir, COUNT);
    const rate = COUNT / http.seconds;
    const lat = summarize(http.latencies);
    const failed = [...http.failures.values()].reduce((a, b) => a + b, 0);
    console.log(`bench:commands  ${COUNT} commands, ${CLIENTS} concurrent clients, embedded default (SQLite WAL, fsync per group commit)`);
    console.log(`  API commands/s        ${fmt(rate, 0)}`);
    console.log(`  latency p50 / p99     ${fmt(lat.p50, 2)} ms / ${fmt(lat.p99, 2)} ms (max ${fmt(lat.max, 1)} ms)`);
    console.log(`  non-2xx replies       ${failed}${failed ? ` ${JSON.stringify(Object.fromEntries(http.failures))}` : ''}`);
    console.log(`  raw store appends/s   ${fmt(raw, 0)} (same durability, ${CLIENTS} concurrent appenders)`);
    console.log(`  API / raw store       ${fmt(rate / raw, 2)}`);
    console.log(`  targets               >= 3,000 commands/s: ${rate >= 3000 ? 'met' : 'NOT met'}; p99 < 50 ms: ${lat.p99 < 50 ? 'met' : 'NOT met'}`);
  } finally {
    if (server.child.exitCode === null) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
