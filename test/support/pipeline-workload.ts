import { randomUUID } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import type { RecordedEvent } from '@crm/event-store';
import { type CustomerEventValue, decodeFeedMessage } from '@crm/messaging';
import { readTopic, testKafka } from '../../libs/messaging/src/testing/kafka-test-kit';
import { WORKLOAD_KEYS } from './customer-workload';

/*
 * The command side of the pipeline fault suites: a workload sent over HTTP to whichever API process
 * is up, what it acknowledged, and the checks that relate the event log to Kafka and the read models.
 */

export interface ProjectionsView {
  position: number;
  head: number;
  lag: number;
  parked: number;
  states: string[];
}

export async function projectionsOf(url: string): Promise<ProjectionsView> {
  const res = await fetch(`${url}/v1/projections`, { headers: { authorization: `Bearer ${WORKLOAD_KEYS.analyst}` }, signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET /v1/projections: ${res.status} ${await res.text()}`);
  const { projections } = (await res.json()) as { projections: { position: number; head: number; lagEvents: number; status: string; parkedCustomers: number }[] };
  return {
    position: Math.min(...projections.map((p) => p.position)),
    head: Math.max(...projections.map((p) => p.head)),
    lag: Math.max(...projections.map((p) => p.lagEvents)),
    parked: Math.max(...projections.map((p) => p.parkedCustomers)),
    states: projections.map((p) => p.status),
  };
}

/** Waits until every projection is live at the head of the log, as the API reports it. */
export async function waitCaughtUp(url: string, timeoutMs: number): Promise<ProjectionsView> {
  const deadline = Date.now() + timeoutMs;
  let last: ProjectionsView | string = 'no answer';
  for (;;) {
    try {
      last = await projectionsOf(url);
      if (last.lag === 0 && last.position >= last.head && last.states.every((s) => s === 'live')) return last;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`The read models did not catch up within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every customer event the topic holds (duplicates included), decoded as a consumer decodes them. */
export async function customerEventsInKafka(brokers: string, topic: string): Promise<{ events: CustomerEventValue[]; watermarks: number }> {
  const kafka = testKafka(brokers, `pipeline-reader-${randomUUID().slice(0, 8)}`);
  const messages = await readTopic(kafka, topic, 60_000);
  const events: CustomerEventValue[] = [];
  let watermarks = 0;
  for (const m of messages) {
    const decoded = decodeFeedMessage({ key: m.key, value: m.value, headers: m.headers } as Parameters<typeof decodeFeedMessage>[0]);
    if (decoded.kind === 'event') events.push(decoded.event);
    else watermarks++;
  }
  return { events, watermarks };
}

/**
 * Every event of the log reached the topic at least once, each copy as stored (same stream,
 * revision and position), and the topic holds nothing the log does not. Returns how many copies
 * were extra (at-least-once redelivery after a crash or a failed send).
 */
export function expectLogInKafka(log: readonly RecordedEvent[], inKafka: readonly CustomerEventValue[]): number {
  const byId = new Map(log.map((e) => [e.eventId, e]));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const k of inKafka) {
    const stored = byId.get(k.eventId);
    if (!stored) problems.push(`${k.eventId} (${k.type} ${k.streamId}@${k.revision}) is in Kafka but not in the log`);
    else if (stored.streamId !== k.streamId || stored.revision !== k.revision || stored.position !== k.position || stored.type !== k.type) {
      problems.push(`${k.eventId}: Kafka has ${k.type} ${k.streamId}@${k.revision} pos ${k.position}, the log ${stored.type} ${stored.streamId}@${stored.revision} pos ${stored.position}`);
    }
    seen.add(k.eventId);
  }
  const missing = log.filter((e) => !seen.has(e.eventId));
  for (const e of missing.slice(0, 10)) problems.push(`${e.eventId} (${e.type} ${e.streamId}@${e.revision} pos ${e.position}) never reached Kafka`);
  if (missing.length > 10) problems.push(`... ${missing.length} events of the log never reached Kafka`);
  expect(problems).toEqual([]);
  return inKafka.length - seen.size;
}

/** Customers parked by any runner (every `parked_*` collection of the database). */
export async function parkedCustomers(client: MongoClient): Promise<Record<string, unknown[]>> {
  const db = client.db();
  const parked: Record<string, unknown[]> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (!name.startsWith('parked_')) continue;
    const docs = await db.collection(name).find({}).toArray();
    if (docs.length > 0) parked[name] = docs;
  }
  return parked;
}

export function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
