import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { SqliteEventStore } from '@crm/event-store';
import { generateEvents } from './support/event-generator';
import { NODE_FLAGS, startServer } from './support/server-process';
import { fmt, summarize } from './support/stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 20);
const ROOT = resolve(__dirname, '../..');
const SERVICE = 'bench-service-key-000000000001';
const ANALYST = 'bench-analyst-key-000000000002';

async function rebuild(dir: string): Promise<{ events: number; seconds: number; maxRssMb: number; generated: number }> {
  const eventsFile = join(dir, 'events.db');
  const store = new SqliteEventStore(eventsFile);
  const t0 = Date.now();
  await generateEvents(store, EVENTS, CUSTOMERS);
  const generated = (Date.now() - t0) / 1000;
  await store.close();
  const out = execFileSync(process.execPath, [...NODE_FLAGS, join(__dirname, 'projections-rebuild.child.js'), eventsFile, join(dir, 'read-models.db')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { ...JSON.parse(out), generated };
}

/** Open loop at a steady rate: each command's reply, then the profile read that first shows it. */
async function lag(dir: string): Promise<{ lags: number[]; sent: number; failures: number }> {
  const server = await startServer(ROOT, {
    CRM_DATA_DIR: join(dir, 'lag-data'),
    CRM_API_KEYS: `${SERVICE}:service,${ANALYST}:analyst`,
    CRM_RATE_LIMIT_PER_MINUTE: '0',
  });
  const pool = new Pool(server.url, { connections: 64 });
  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) => {
    const res = await pool.request({ method, path, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : null };
  };
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    const customerId = randomUUID();
    await call('POST', '/v1/customers', SERVICE, { customerId, name: 'Lag', channel: 'web', type: 'consumer' });
    ids.push(customerId);
  }
  const lags: number[] = [];
  let failures = 0;
  let sent = 0;
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  // The first two seconds warm the JIT up and are not measured: the target is the steady state.
  const warmup = RATE * 2;
  const total = warmup + RATE * LAG_SECONDS;
  while (sent < total) {
    const measured = sent >= warmup;
    const due = started + (sent * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = ids[sent++ % ids.length];
    inFlight.push(
      (async () => {
        const reply = await call('POST', `/v1/customers/${id}/purchases`, SERVICE, { orderId: randomUUID(), amountMinor: 999, currency: 'CNY' });
        const replied = process.hrtime.bigint();
        if (reply.status !== 200) return void failures++;
        const read = await call('GET', `/v1/profiles/${id}?minPosition=${reply.body.position}`, ANALYST);
        if (read.status !== 200 || read.body.revision < reply.body.revision) return void failures++;
        if (measured) lags.push(Number(process.hrtime.bigint() - replied) / 1e6);
      })(),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  await server.stop();
  return { lags, sent: sent - warmup, failures };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-projections-'));
  try {
    const r = await rebuild(dir);
    const l = await lag(dir);
    const s = summarize(l.lags);
    const rate = r.events / r.seconds;
    console.log(`bench:projections  embedded default (SQLite event log, embedded document store)`);
    console.log(`  generated             ${r.events.toLocaleString('en-US')} events for ${CUSTOMERS.toLocaleString('en-US')} customers in ${fmt(r.generated)} s`);
    console.log(`  rebuild, all models   ${fmt(rate, 0)} events/s (${fmt(r.seconds)} s), peak RSS ${fmt(r.maxRssMb, 0)} MiB`);
    console.log(`  lag at ${RATE} cmd/s      p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, max ${fmt(s.max, 1)} ms (${l.lags.length} of ${l.sent} measured, ${l.failures} failed)`);
    console.log(
      `  targets               rebuild >= 50,000 events/s: ${rate >= 50_000 ? 'met' : 'NOT met'}; ` +
        `lag p99 < 20 ms: ${s.p99 < 20 ? 'met' : 'NOT met'}; RSS < 1 GiB: ${r.maxRssMb < 1024 ? 'met' : 'NOT met'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
