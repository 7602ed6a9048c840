import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { logLevel } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';
import { Pool } from 'undici';
import { createKafka, kafkaNames, partitionOfKey } from '@crm/messaging';
import { partitionCheckpointName } from '@crm/read-models';
import { type PipelineProcess, startProcess } from './pipeline-processes';
import { CheckpointMonitor, kafkaRaw, mongoRaw } from './pipeline-raw';
import { fmt, summarize } from './support/stats';

// The production path end to end, as separate processes on the real broker and document server:
// API+relay (CRM_ROLES=api,relay, embedded SQLite log) -> Kafka -> projector -> MongoDB -> read API.
// usage: npm run bench:pipeline [-- seconds=20 clients=32 rates=500,1000 lagSeconds=15 ...]
// Every option is also an environment variable BENCH_<NAME> (e.g. BENCH_SECONDS=30); see OPTIONS.

const OPTIONS = {
  seconds: 20, // sustained phase length (ignored when count is set)
  count: 0, // sustained phase: a fixed number of commands instead of a duration
  clients: 32, // concurrent HTTP clients of the sustained phase
  warmup: 1_000, // commands before the measured phases (not measured)
  rates: '500,1000', // steady rates (cmd/s) of the lag phase
  lagSeconds: 15, // measured length of each steady rate (after 2 s of warm-up)
  samples: 50, // sampled commands per second whose visibility is timed
  lagMode: 'minPosition', // minPosition: GET /v1/profiles/:id?minPosition=<pos> (server waits); poll: GET every 5 ms
  maxInFlight: 256, // open loop: at most this many commands unanswered (beyond it the rate is not sustained)
  rawCount: 20_000, // messages of the raw broker rate
  rawDocs: 5_000, // documents of the raw document-server rate (its replace cost grows with the collection)
  rawSeconds: 15, // longest time of each raw document-server pass
  catchupSeconds: 180, // longest wait for the projector to reach the last accepted command
};
type Options = { [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K] };

const SERVICE = 'bench-service-key-000000000001';
const ANALYST = 'bench-analyst-key-000000000002';
const BUILD = resolve(__dirname, '..');
const TARGET_RATE = 1_000;
const TARGET_LAG_P99 = 250;

function options(): Options {
  const args = new Map(
    process.argv
      .slice(2)
      .map((a) => a.replace(/^--/, '').split('='))
      .map(([k, ...v]) => [k, v.join('=')] as const),
  );
  const out = { ...OPTIONS } as Record<string, string | number>;
  for (const [name, fallback] of Object.entries(OPTIONS)) {
    const env = process.env[`BENCH_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
    const raw = args.get(name) ?? env;
    if (raw === undefined || raw === '') continue;
    if (typeof fallback === 'number' && !Number.isFinite(Number(raw))) throw new Error(`${name} must be a number, not ${raw}`);
    out[name] = typeof fallback === 'number' ? Number(raw) : raw;
  }
  const unknown = [...args.keys()].filter((k) => !(k in OPTIONS));
  if (unknown.length > 0) throw new Error(`Unknown option(s) ${unknown.join(', ')}; known: ${Object.keys(OPTIONS).join(', ')}`);
  if (out.lagMode !== 'minPosition' && out.lagMode !== 'poll') throw new Error('lagMode must be minPosition or poll');
  return out as Options;
}

/** The same URL on another database (a run's own, dropped at the end). */
function withDatabase(url: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`MONGO_URL is not a mongodb:// URL: ${url}`);
  return `${m[1]}/${db}${m[3] ?? ''}`;
}

type Request = { method: 'POST' | 'PATCH' | 'PUT'; path: string; body: unknown };

/** The mix of bench:commands; `customers` are the ones this caller may touch (no cross-client conflicts). */
function nextRequest(customers: string[], newShare = 0.12): Request {
  const roll = Math.random();
  if (customers.length === 0 || roll < newShare) {
    const customerId = randomUUID();
    customers.push(customerId);
    return {
      method: 'POST',
      path: '/v1/customers',
      body: { customerId, name: `Bench ${customerId.slice(0, 8)}`, email: `b-${customerId}@example.com`, channel: 'web', type: 'consumer', tags: ['bench'] },
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

interface Reply {
  status: number;
  body: { customerId?: string; revision?: number; position?: number } | null;
}

function client(url: string, connections: number) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const call = async (method: string, path: string, key: string, body?: unknown): Promise<Reply> => {
    const res = await pool.request({
      method: method as 'GET',
      path,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: Reply['body'] = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: only the status matters then
    }
    return { status: res.statusCode, body: parsed };
  };
  return { call, close: () => pool.close() };
}
type Client = ReturnType<typeof client>;

interface Sustained {
  accepted: number;
  failures: Map<number, number>;
  seconds: number;
  latencies: number[];
  maxPosition: number;
  started: number;
  ended: number;
  customers: string[];
}

/** Closed loop: `clients` callers each send a command as soon as the previous one is answered. */
async function closedLoop(api: Client, clients: number, limit: { count?: number; seconds?: number }, onReply?: (position: number) => void): Promise<Sustained> {
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  const customers: string[] = [];
  let issued = 0;
  let accepted = 0;
  let maxPosition = 0;
  const started = performance.now();
  const until = limit.seconds ? started + limit.seconds * 1000 : Infinity;
  const more = () => (limit.count ? issued < limit.count : performance.now() < until);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const mine: string[] = [];
      while (more()) {
        issued++;
        const req = nextRequest(mine);
        const t0 = performance.now();
        const reply = await api.call(req.method, req.path, SERVICE, req.body);
        latencies.push(performance.now() - t0);
        if (reply.status >= 300 || typeof reply.body?.position !== 'number') {
          failures.set(reply.status, (failures.get(reply.status) ?? 0) + 1);
          continue;
        }
        accepted++;
        maxPosition = Math.max(maxPosition, reply.body.position);
        onReply?.(maxPosition);
      }
      customers.push(...mine);
    }),
  );
  const ended = performance.now();
  return { accepted, failures, seconds: (ended - started) / 1000, latencies, maxPosition, started, ended, customers };
}

interface LagRun {
  rate: number;
  achieved: number;
  sent: number;
  failures: number;
  commandLatencies: number[];
  lags: number[];
  toRelay: number[];
  relayToProjected: number[];
  projectedToVisible: number[];
  notVisible: number;
  maxPosition: number;
}

/** Open loop at a steady rate; every `rate / samples`-th command is followed until the read API shows it. */
async function steadyRate(
  api: Client,
  reader: Client,
  monitor: CheckpointMonitor,
  customers: string[],
  rate: number,
  o: Options,
  onReply: (position: number) => void,
  onIssued: () => void,
): Promise<LagRun> {
  const warmup = rate * 2;
  const total = warmup + Math.round(rate * o.lagSeconds);
  const every = Math.max(1, Math.round(rate / o.samples));
  const run: LagRun = { rate, achieved: 0, sent: 0, failures: 0, commandLatencies: [], lags: [], toRelay: [], relayToProjected: [], projectedToVisible: [], notVisible: 0, maxPosition: 0 };
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let measuredAccepted = 0;
  let measuredFrom = 0;
  let lastReply = 0;
  const started = performance.now();
  const endAt = started + (total * 1000) / rate;
  while (sent < total && performance.now() < endAt) {
    const wait = started + (sent * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Past the cap the API is not keeping up: wait for a reply rather than pile up sockets (the achieved rate shows it).
    while (inFlight.size >= o.maxInFlight) await Promise.race(inFlight);
    const seq = sent++;
    // The first two seconds (wall time, so a rate the API cannot keep still gets measured) are warm-up.
    const measured = performance.now() >= started + 2_000;
    if (measured && measuredFrom === 0) measuredFrom = performance.now();
    if (measured) run.sent++;
    const sampled = measured && seq % every === 0;
    const req = nextRequest(customers);
    const job = (async () => {
      const t0 = performance.now();
      const reply = await api.call(req.method, req.path, SERVICE, req.body);
      const replied = performance.now();
      if (measured) run.commandLatencies.push(replied - t0);
      const { customerId, revision, position } = reply.body ?? {};
      if (reply.status >= 300 || typeof position !== 'number' || typeof revision !== 'number' || !customerId) return void (measured && run.failures++);
      run.maxPosition = Math.max(run.maxPosition, position);
      onReply(position);
      if (measured) {
        measuredAccepted++;
        lastReply = replied;
      }
      if (!sampled) return;
      const visibleAt = await visible(reader, customerId, revision, position, o.lagMode);
      if (Number.isNaN(visibleAt)) return void run.notVisible++;
      run.lags.push(visibleAt - replied);
      const relayAt = monitor.firstAt('relay', position);
      // Projected: the customer's partition passed the event, so its documents are written (what the profile read waits for).
      const projectedAt = monitor.firstAt(partitionOfKey(customerId, monitor.partitions.length), position);
      if (!Number.isNaN(relayAt)) run.toRelay.push(Math.max(0, relayAt - replied));
      if (!Number.isNaN(relayAt) && !Number.isNaN(projectedAt)) run.relayToProjected.push(Math.max(0, projectedAt - relayAt));
      if (!Number.isNaN(projectedAt)) run.projectedToVisible.push(Math.max(0, visibleAt - projectedAt));
    })();
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  }
  onIssued();
  await Promise.all(inFlight);
  run.achieved = (measuredAccepted * 1000) / Math.max(1, lastReply - measuredFrom);
  return run;
}

/** When the profile first shows `revision` (NaN: not within 60 s). */
async function visible(reader: Client, customerId: string, revision: number, position: number, mode: string): Promise<number> {
  const deadline = performance.now() + 60_000;
  const path = mode === 'minPosition' ? `/v1/profiles/${customerId}?minPosition=${position}` : `/v1/profiles/${customerId}`;
  while (performance.now() < deadline) {
    const read = await reader.call('GET', path, ANALYST);
    const at = performance.now();
    if (read.status === 200 && (read.body?.revision ?? -1) >= revision) return at;
    // minPosition: a 503 means the server waited CRM_FRESHNESS_WAIT_MS in vain; poll: not there yet.
    if (mode === 'poll' || read.status !== 503) await new Promise((r) => setTimeout(r, 5));
  }
  return NaN;
}

function p(values: number[], digits = 0): string {
  if (values.length === 0) return 'n/a';
  const s = summarize(values);
  return `${fmt(s.p50, digits)} / ${fmt(s.p99, digits)} ms`;
}

/** A line a second: where the backlog sits (events the log holds but that stage has not passed yet). */
function progress(monitor: CheckpointMonitor, head: () => number, base: number, phase: () => string): () => void {
  const t0 = performance.now();
  const timer = setInterval(() => {
    const [h, relay, vis] = [head(), monitor.relayPosition, monitor.visiblePosition];
    console.log(
      `  t=${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s ${phase().padEnd(8)}  log head ${String(h - base).padStart(7)}` +
        `  relay backlog ${String(Math.max(0, h - relay)).padStart(6)}  projector backlog ${String(Math.max(0, Math.min(h, relay) - vis)).padStart(6)}` +
        `  visible ${String(Math.max(0, vis - base)).padStart(7)}`,
    );
  }, 1_000);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  const o = options();
  const brokers = process.env.KAFKA_BROKERS;
  const mongoBase = process.env.MONGO_URL;
  if (!brokers || !mongoBase) throw new Error('Set KAFKA_BROKERS and MONGO_URL (npm run infra:up; set -a; . .infra/env; set +a)');
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 6)}`;
  const namespace = `pipebench-${id}`;
  const dbName = `crm_pipebench_${id}`;
  const mongoUrl = withDatabase(mongoBase, dbName);
  const runDir = mkdtempSync(join(tmpdir(), 'pipebench-'));
  const { topics, group } = kafkaNames(namespace);
  const rawTopic = `${namespace}.bench-raw`;
  const mongo = new MongoClient(mongoUrl, { retryWrites: false });
  await mongo.connect();
  const db: Db = mongo.db(dbName);
  const processes: PipelineProcess[] = [];
  const clients: Client[] = [];
  let monitor: CheckpointMonitor | null = null;
  let keepLogs = false;

  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      monitor?.stop();
      await Promise.allSettled(clients.map((c) => c.close()));
      await Promise.allSettled(processes.map((pr) => pr.stop()));
      await db.dropDatabase().catch((e: unknown) => console.error(`could not drop database ${dbName}: ${String(e)}`));
      await mongo.close().catch(() => undefined);
      const admin = createKafka(brokers, 'pipebench-cleanup', { level: logLevel.NOTHING }).admin();
      try {
        await admin.connect();
        const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
        if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
        await admin.deleteGroups([group('crm-projector')]).catch(() => undefined);
      } catch (e) {
        console.error(`could not delete the scratch topics ${namespace}.*: ${String(e)}`);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (keepLogs) console.error(`process logs kept in ${runDir}`);
      else rmSync(runDir, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the pipeline and dropping scratch data...`);
      keepLogs = true;
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const common = {
      KAFKA_BROKERS: brokers,
      MONGO_URL: mongoUrl,
      CRM_KAFKA_NAMESPACE: namespace,
      CRM_API_KEYS: `${SERVICE}:service,${ANALYST}:analyst`,
      CRM_RATE_LIMIT_PER_MINUTE: '0',
      CRM_FRESHNESS_WAIT_MS: '5000',
    };
    console.log(`bench:pipeline  namespace ${namespace}, database ${dbName}, build ${BUILD}`);
    const apiProcess = await startProcess('api-relay', join(BUILD, 'apps/api/src/main.js'), { ...common, CRM_ROLES: 'api,relay', CRM_DATA_DIR: join(runDir, 'data') }, runDir);
    processes.push(apiProcess);
    const projector = await startProcess(
      'projector',
      join(BUILD, 'apps/projector/src/main.js'),
      { ...common, CRM_DATA_DIR: join(runDir, 'projector-data') },
      runDir,
      (h) => (h as { projector?: { state?: string } }).projector?.state === 'running',
    );
    processes.push(projector);
    const admin = createKafka(brokers, 'pipebench-meta', { level: logLevel.ERROR }).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topics.customerEvents] });
    await admin.disconnect();
    const partitions = meta.topics[0].partitions.length;
    monitor = new CheckpointMonitor(
      db,
      Array.from({ length: partitions }, (_, n) => partitionCheckpointName(topics.customerEvents, n)),
    );
    // Coarse while the sustained load runs (it only dates the last command's visibility, to 50 ms in 20 s),
    // fine while lag is sampled (it dates each stage).
    monitor.start(50);
    const api = client(apiProcess.url, Math.max(o.clients, 64));
    const reader = client(apiProcess.url, 64);
    clients.push(api, reader);

    const catchUp = async (position: number, label: string) => {
      const at = await monitor!.waitVisible(position, o.catchupSeconds * 1000);
      if (Number.isNaN(at)) throw new Error(`${label}: the projector did not reach position ${position} within ${o.catchupSeconds} s (at ${monitor!.visiblePosition})`);
      return at;
    };

    // Warm-up: JIT, connections, the topic's consumer group; then let the projector catch up.
    const warm = await closedLoop(api, o.clients, { count: o.warmup });
    await catchUp(warm.maxPosition, 'warm-up');
    const basePosition = warm.maxPosition;

    // (1) Sustained closed-loop load, with a progress line a second: where does the backlog sit?
    const mode = o.count > 0 ? `${o.count.toLocaleString('en-US')} commands` : `${o.seconds} s`;
    console.log(`\n(1) sustained mixed load: ${o.clients} clients, ${mode}; backlog = events not yet past that stage`);
    let head = basePosition;
    let loadDone = false;
    const stopProgress = progress(monitor, () => head, basePosition, () => (loadDone ? 'catch-up' : 'load'));
    let sustained: Sustained;
    let lastVisibleAt: number;
    try {
      sustained = await closedLoop(api, o.clients, o.count > 0 ? { count: o.count } : { seconds: o.seconds }, (pos) => (head = pos));
      loadDone = true;
      lastVisibleAt = await catchUp(sustained.maxPosition, 'sustained load');
    } finally {
      stopProgress();
    }
    const acceptedRate = sustained.accepted / sustained.seconds;
    const wholePath = (sustained.accepted * 1000) / (lastVisibleAt - sustained.started);
    const catchUpSeconds = (lastVisibleAt - sustained.ended) / 1000;
    const visibleDuringLoad = monitor.visible.filter((v) => v.at <= sustained.ended).at(-1)?.position ?? basePosition;
    const projectedDuringLoad = (Math.max(0, visibleDuringLoad - basePosition) * 1000) / (sustained.ended - sustained.started);
    const failed = [...sustained.failures.values()].reduce((a, b) => a + b, 0);
    const cmdLat = summarize(sustained.latencies);
    console.log(
      `  ${sustained.accepted} accepted in ${fmt(sustained.seconds)} s = ${fmt(acceptedRate, 0)} cmd/s; last one visible ${fmt(catchUpSeconds, 2)} s after the load ended` +
        ` -> whole path ${fmt(wholePath, 0)} cmd/s (projector kept ${fmt(projectedDuringLoad, 0)} events/s during the load)`,
    );

    // (2) Append-to-visible lag at steady rates.
    monitor.start(10);
    const customers = sustained.customers.concat(warm.customers);
    const lagRuns: LagRun[] = [];
    for (const rate of o.rates.split(',').map(Number).filter((r) => r > 0)) {
      console.log(`\n(2) steady ${rate} cmd/s for ${o.lagSeconds} s (+2 s warm-up), ${o.samples} sampled/s, visibility by ${o.lagMode}`);
      let phase = 'load';
      const base = Math.max(monitor.visiblePosition, sustained.maxPosition);
      let runHead = base;
      const stopRateProgress = progress(monitor, () => Math.max(runHead, monitor!.relayPosition), base, () => phase);
      let run: LagRun;
      try {
        run = await steadyRate(api, reader, monitor, customers, rate, o, (pos) => (runHead = Math.max(runHead, pos)), () => (phase = 'drain'));
        phase = 'catch-up';
        await catchUp(run.maxPosition, `after ${rate} cmd/s`);
      } finally {
        stopRateProgress();
      }
      lagRuns.push(run);
      console.log(
        `  achieved ${fmt(run.achieved, 0)} cmd/s, lag p50/p99 ${p(run.lags)} (${run.lags.length} samples, ${run.notVisible} not visible in 60 s, ${run.failures} non-2xx)` +
          `; reply->relay acked ${p(run.toRelay)}, relay->projected ${p(run.relayToProjected)}, projected->read API ${p(run.projectedToVisible)}`,
      );
    }
    const health = (await (await fetch(`${projector.url}/health`)).json()) as { projector?: { deadLettered?: number; lastError?: string | null } };
    const templates = await db.collection('profiles').find({}).limit(500).toArray();
    const profileCount = await db.collection('profiles').countDocuments({});

    // (3) Raw rates of the broker and the document server, with the pipeline stopped.
    monitor.stop();
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await Promise.all(processes.splice(0).map((pr) => pr.stop()));
    console.log(`\n(3) raw rates, pipeline stopped`);
    const kafka = await kafkaRaw(brokers, join(runDir, 'data', 'events.db'), rawTopic, partitions, o.rawCount, [500, 10]);
    for (const r of kafka.results) console.log(`  Kafka batch ${String(r.batch).padStart(3)}: ${fmt(r.perSecond, 0)} msg/s (${fmt(r.msPerSend, 2)} ms a send)`);
    const raw = await mongoRaw(db, 'bench_raw_profiles', templates, o.rawDocs, 500, partitions, o.rawSeconds);
    console.log(
      `  MongoDB bulkWrite upserts ${fmt(raw.insertsPerSecond, 0)} docs/s new, ${fmt(raw.replacesPerSecond, 0)} docs/s replacing` +
        ` (${fmt(raw.replacesByIdOnlyPerSecond, 0)} with a filter on _id alone), up to ${raw.collectionSize} docs; findOne by _id ${fmt(raw.findOneMicros / 1000, 2)} ms p50`,
    );

    const kafka500 = kafka.results.find((r) => r.batch === 500)!;
    const kafka10 = kafka.results.find((r) => r.batch === 10)!;
    const row = (name: string, value: string, target = '') => console.log(`  ${name.padEnd(44)} ${value.padEnd(34)} ${target}`);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(`\nbench:pipeline summary  (API+relay, SQLite log -> Kafka ${brokers} -> projector -> MongoDB; ${partitions} partitions)`);
    row('metric', 'value', 'target');
    row('accepted commands/s (sustained)', `${fmt(acceptedRate, 0)} (${o.clients} clients, ${sustained.accepted} cmds)`);
    row('whole-path commands/s (to last visible)', `${fmt(wholePath, 0)}`, `>= ${TARGET_RATE.toLocaleString('en-US')}: ${met(wholePath >= TARGET_RATE)}`);
    row('  projector events/s during the load', fmt(projectedDuringLoad, 0));
    row('  catch-up after the last reply', `${fmt(catchUpSeconds, 2)} s`);
    row('  command latency p50 / p99', `${fmt(cmdLat.p50, 1)} / ${fmt(cmdLat.p99, 1)} ms`);
    row('  non-2xx replies', `${failed}${failed ? ` ${JSON.stringify(Object.fromEntries(sustained.failures))}` : ''}`);
    for (const run of lagRuns) {
      const s = run.lags.length ? summarize(run.lags) : { p50: NaN, p99: NaN, max: NaN };
      row(`lag p50 / p99 at ${run.rate} cmd/s (${o.lagMode})`, `${fmt(s.p50, 0)} / ${fmt(s.p99, 0)} ms (max ${fmt(s.max, 0)})`, `p99 < ${TARGET_LAG_P99} ms: ${met(s.p99 < TARGET_LAG_P99 && run.notVisible === 0)}`);
      row(`  achieved rate, samples, command p50/p99`, `${fmt(run.achieved, 0)} cmd/s, ${run.lags.length}, ${p(run.commandLatencies, 1)}`);
      row('  reply -> relay acked (p50 / p99)', p(run.toRelay));
      row('  relay acked -> own partition projected', p(run.relayToProjected));
      row('  projected -> read API shows it (p50 / p99)', p(run.projectedToVisible));
    }
    row('Kafka raw, idempotent acks -1, batch 500', `${fmt(kafka500.perSecond, 0)} msg/s (~${fmt(kafka.avgBytes, 0)} B/msg)`);
    row('Kafka raw, batch 10', `${fmt(kafka10.perSecond, 0)} msg/s (${fmt(kafka10.msPerSend, 2)} ms a send)`);
    row('  whole path / Kafka raw (batch 500)', fmt(wholePath / kafka500.perSecond, 3));
    row(`MongoDB raw bulkWrite upsert, 500/batch x${partitions}`, `${fmt(raw.insertsPerSecond, 0)} new, ${fmt(raw.replacesPerSecond, 0)} replace docs/s (~${fmt(raw.docBytes, 0)} B)`);
    row(`  collection size; replace on _id alone`, `${raw.collectionSize} docs; ${fmt(raw.replacesByIdOnlyPerSecond, 0)} docs/s (diagnostic)`);
    row('  read models in this run (profiles)', `${profileCount} docs`);
    row('  whole path / MongoDB raw (replace)', fmt(wholePath / raw.replacesPerSecond, 3));
    row('MongoDB findOne by _id, sequential p50/p99', `${fmt(raw.findOneMicros / 1000, 2)} / ${fmt(raw.findOneP99Micros / 1000, 2)} ms`);
    row('projector dead-lettered', `${health.projector?.deadLettered ?? '?'}${health.projector?.lastError ? ` (last error ${health.projector.lastError})` : ''}`);
  } catch (error) {
    keepLogs = true;
    throw error;
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
