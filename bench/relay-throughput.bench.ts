import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@crm/event-store';
import { logLevel } from 'kafkajs';
import { createIdempotentProducer, createKafka, ensureTopics, Relay, type RelayCheckpoints } from '@crm/messaging';

// Relay publish throughput against a real broker: a pre-filled embedded log, relayed from position 0.
// usage: KAFKA_BROKERS=127.0.0.1:9092 node <compiled>/relay-throughput.bench.js [events=20000] [customers=1000] [batchSizes=100,500,2000]
async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('Set KAFKA_BROKERS (bash infra/up.sh kafka; set -a; . .infra/env; set +a)');
  const [events = 20_000, customers = 1_000] = process.argv.slice(2, 4).map(Number);
  const batchSizes = (process.argv[4] ?? '100,500,2000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  const kafka = createKafka(brokers, 'relay-bench', { level: logLevel.ERROR });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    await fill(store, events, customers);
    const bytes = (await store.readAll({ maxCount: 1 }))[0];
    console.log(`log: ${events} events, ${customers} customers, ~${JSON.stringify(bytes).length} bytes per event`);
    for (const batchSize of batchSizes) {
      const topic = `bench.relay.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
      await ensureTopics(kafka, [topic]);
      const saved = new Map<string, number>();
      const checkpoints: RelayCheckpoints = { read: async (n) => saved.get(n) ?? null, write: async (n, p) => void saved.set(n, p) };
      const relay = new Relay(store, producer, kafka, { topic, checkpointName: 'bench', checkpoints, batchSize });
      const last = await store.lastPosition();
      const started = process.hrtime.bigint();
      await relay.start();
      while ((relay.status().checkpoint ?? 0) < last) await new Promise((r) => setImmediate(r));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await relay.stop();
      console.log(`batchSize ${String(batchSize).padStart(5)}: ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds)} events/s`);
    }
  } finally {
    await producer.disconnect();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fill(store: SqliteEventStore, events: number, customers: number): Promise<void> {
  const ids = Array.from({ length: customers }, () => randomUUID());
  const appends: Promise<unknown>[] = [];
  for (let i = 0; i < events; i++) {
    const customerId = ids[i % customers];
    const eventId = randomUUID();
    const metadata = {
      eventId,
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { id: 'svc-bench', role: 'service' },
      occurredAt: new Date().toISOString(),
      recordedAt: new Date().toISOString(),
      schemaVersion: 1,
    };
    const data = { customerId, channel: 'phone', direction: 'outbound', outcome: 'reached', summary: `enc:v1:${Buffer.from(randomUUID()).toString('base64')}` };
    appends.push(store.append(`customer-${customerId}`, [{ eventId, type: 'CustomerContacted', data, metadata }], 'any'));
    if (appends.length === 1_000) await Promise.all(appends.splice(0));
  }
  await Promise.all(appends);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
