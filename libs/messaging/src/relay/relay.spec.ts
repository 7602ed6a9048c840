import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@crm/event-store';
import { decodeFeedMessage } from '../messages/watermark.message';
import { recordedEvent } from '../testing/event-fixtures';
import { until } from '@crm/testing';
import { FakeLog, fakeKafka, FakeProducer, MemoryCheckpoints } from '../testing/relay-fakes';
import { Relay, type RelayOptions } from './relay';

const TOPIC = 'crm.customer-events.v1';

function log(count: number, firstPosition = 1): RecordedEvent[] {
  const customers = [randomUUID(), randomUUID()];
  return Array.from({ length: count }, (_, i) =>
    recordedEvent({ streamId: `customer-${customers[i % 2]}`, revision: Math.floor(i / 2), position: firstPosition + i * 10 }),
  );
}

function setUp(options: Partial<RelayOptions> = {}) {
  const store = new FakeLog();
  const producer = new FakeProducer();
  const checkpoints = new MemoryCheckpoints();
  const errors: unknown[] = [];
  const relay = new Relay(store, producer, fakeKafka(3), {
    topic: TOPIC,
    checkpointName: 'relay',
    checkpoints,
    batchSize: 4,
    backoff: { initialMs: 10, maxMs: 40 },
    onError: (e) => errors.push(e),
    ...options,
  });
  return { store, producer, checkpoints, relay, errors };
}

const positions = (messages: { headers?: unknown }[]) => messages.map((m) => Number((m.headers as Record<string, string>)['global-position']));

describe('Relay (with in-memory fakes)', () => {
  it('given events, publishes each batch in log order with a watermark to every partition in the same send, then saves the checkpoint', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    const calls: string[] = [];
    producer.onSend = (r) => calls.push(r.messages.map((m) => (m.key === null ? `w${m.partition}` : 'e')).join(''));
    const write = checkpoints.write.bind(checkpoints);
    checkpoints.write = async (name, position) => (calls.push(`checkpoint ${position}`), write(name, position));
    store.events.push(...log(6));
    await relay.start();
    await until(() => checkpoints.writes.length === 2, 'two batches');
    await relay.stop();

    expect(positions(producer.events())).toEqual([1, 11, 21, 31, 41, 51]);
    expect(calls).toEqual(['eeeew0w1w2', 'checkpoint 31', 'eew0w1w2', 'checkpoint 51']);
    expect(producer.watermarks().map((m) => [m.partition, decodeFeedMessage(m)])).toEqual(
      [31, 51].flatMap((position) => [0, 1, 2].map((p) => [p, { kind: 'watermark', position }])),
    );
    expect(relay.status()).toMatchObject({ state: 'stopped', checkpoint: 51, published: 6, lastError: null });
  });

  it('starts after a saved checkpoint', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    store.events.push(...log(5));
    checkpoints.values.set('relay', 21);
    await relay.start();
    await until(() => checkpoints.writes.includes(41), 'the rest');
    await relay.stop();
    expect(store.subscribedAfter).toEqual([21]);
    expect(positions(producer.events())).toEqual([31, 41]);
  });

  it('when a send fails, does not move the checkpoint, backs off doubling, and resubscribes from the saved checkpoint', async () => {
    const { store, producer, checkpoints, relay, errors } = setUp();
    store.events.push(...log(6));
    checkpoints.values.set('relay', 1);
    producer.plan.push('fail', 'fail', 'fail');
    await relay.start();
    await until(() => checkpoints.writes.includes(51), 'recovery');
    await relay.stop();
    expect(checkpoints.writes).toEqual([41, 51]);
    expect(store.subscribedAfter).toEqual([1, 1, 1, 1]);
    expect(errors).toHaveLength(3);
    expect(positions(producer.events())).toEqual([11, 21, 31, 41, 51]);
    expect(relay.status().lastError).toMatch(/broker gone/);
  });

  it('backs off 10, 20, 40, 40 ms (doubling up to the maximum)', async () => {
    const { store, producer, relay } = setUp();
    store.events.push(...log(1));
    producer.plan.push('fail', 'fail', 'fail', 'fail');
    const at: number[] = [];
    producer.onSend = (r) => r.messages[0].key !== null && at.push(Date.now());
    await relay.start();
    await until(() => producer.events().length === 1, 'recovery');
    await relay.stop();
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    expect(gaps).toHaveLength(4);
    [10, 20, 40, 40].forEach((expected, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(expected - 2);
      expect(gaps[i]).toBeLessThan(expected + 60);
    });
  });

  it('when saving the checkpoint fails after the ack, publishes the batch again (at least once, never skipped)', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    store.events.push(...log(2));
    checkpoints.failWrites = 1;
    await relay.start();
    await until(() => checkpoints.writes.length === 1, 'recovery');
    await relay.stop();
    expect(positions(producer.events())).toEqual([1, 11, 1, 11]);
  });

  it('after an idle period, rewrites the watermark of the checkpoint as a heartbeat', async () => {
    const { store, producer, checkpoints, relay } = setUp({ heartbeatMs: 50 });
    store.events.push(...log(1, 7));
    checkpoints.values.set('relay', 7);
    await relay.start();
    await until(() => producer.watermarks().length >= 6, 'two heartbeats');
    await relay.stop();
    expect(producer.events()).toEqual([]);
    expect(new Set(producer.watermarks().map((m) => JSON.stringify([m.partition, decodeFeedMessage(m)])))).toEqual(
      new Set([0, 1, 2].map((p) => JSON.stringify([p, { kind: 'watermark', position: 7 }]))),
    );
  });

  it('when the send of a batch fails, sends its events and watermarks again and only then saves the checkpoint', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    store.events.push(...log(2));
    producer.plan.push('fail');
    await relay.start();
    await until(() => checkpoints.writes.length === 1, 'the batch after the failure');
    await relay.stop();
    expect(positions(producer.events())).toEqual([1, 11]);
    expect(producer.watermarks().map((m) => decodeFeedMessage(m))).toEqual([0, 1, 2].map(() => ({ kind: 'watermark', position: 11 })));
    expect(relay.status()).toMatchObject({ checkpoint: 11, published: 2, lastError: expect.stringMatching(/broker gone/) });
  });

  it('stop() lets the batch in flight finish', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    store.events.push(...log(3));
    let release: (() => void) | null = null;
    const send = producer.send.bind(producer);
    producer.send = async (record) => {
      if (!release) await new Promise<void>((resolve) => (release = resolve));
      return send(record);
    };
    await relay.start();
    await until(() => release !== null, 'a batch in flight');
    const stopped = relay.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(checkpoints.writes).toEqual([]);
    release!();
    await stopped;
    expect(checkpoints.writes).toEqual([21]);
    expect(relay.status().state).toBe('stopped');
  });

  it('stop() gives up on a send the broker never answers, without moving the checkpoint', async () => {
    const { store, producer, checkpoints, relay } = setUp({ stopTimeoutMs: 50 });
    store.events.push(...log(2));
    producer.plan.push('hang');
    await relay.start();
    await until(() => producer.attempts === 1, 'the send');
    await relay.stop();
    expect(checkpoints.writes).toEqual([]);
    expect(relay.status()).toMatchObject({ state: 'stopped', checkpoint: 0, published: 0 });
  });

  it('refuses to start from a checkpoint past the end of the log (kept for another log), publishing nothing', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    store.events.push(...log(3));
    checkpoints.values.set('relay', 11_200);
    await expect(relay.start()).rejects.toMatchObject({ name: 'CheckpointPastLogEndError', checkpoint: 11_200, head: 21 });
    expect(producer.attempts).toBe(0);
    expect(store.subscribedAfter).toEqual([]);
    expect(checkpoints.writes).toEqual([]);
  });

  it('starts from a checkpoint at the very end of the log', async () => {
    const { store, producer, checkpoints, relay } = setUp();
    store.events.push(...log(3));
    checkpoints.values.set('relay', 21);
    await relay.start();
    await relay.stop();
    expect(store.subscribedAfter).toEqual([21]);
    expect(producer.events()).toEqual([]);
  });

  it('refuses to start when the topic has no partitions', async () => {
    const relay = new Relay(new FakeLog(), new FakeProducer(), fakeKafka(0), { topic: TOPIC, checkpointName: 'relay', checkpoints: new MemoryCheckpoints() });
    await expect(relay.start()).rejects.toThrow(/has no partitions; create it first/);
  });
});
