import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { type AllStreamResolvedEvent, ErrorType, type ReadPosition, START } from '@kurrent/kurrentdb-client';
import { until } from '@crm/testing';
import type { BatchHandler, RecordedEvent } from '../event-store.port';
import { toRecordedEvent } from './esdb-mapping';
import { type EsdbFeed, EsdbSubscription, type EsdbSubscriptionOptions } from './esdb-subscription';

/** Stands in for the client's $all subscription: an object-mode Readable with unsubscribe(). */
class FakeFeed extends Readable {
  unsubscribed = false;

  constructor(readonly from: ReadPosition) {
    super({ objectMode: true, read: () => undefined });
  }

  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }

  send(position: number, streamId = 'customer-1'): void {
    const event = {
      streamId,
      id: randomUUID(),
      type: 'ContractTested',
      revision: BigInt(position),
      isJson: true,
      data: { position },
      metadata: {},
      position: { commit: BigInt(position), prepare: BigInt(position) },
    };
    this.push({ event, commitPosition: BigInt(position) } as unknown as AllStreamResolvedEvent);
  }
}

const unavailable = () => Object.assign(new Error('UNAVAILABLE: connection reset'), { type: ErrorType.UNAVAILABLE, code: 14 });

let feeds: FakeFeed[];
let subscriptions: EsdbSubscription[];

function subscribe(handler: BatchHandler, options: Partial<EsdbSubscriptionOptions> = {}): EsdbSubscription {
  const source = {
    open: (from: ReadPosition) => {
      const feed = new FakeFeed(from);
      feeds.push(feed);
      return feed as unknown as EsdbFeed;
    },
    toEvent: (resolved: AllStreamResolvedEvent) => toRecordedEvent(resolved.event, 'customer-'),
  };
  const subscription = new EsdbSubscription(source, { maxBatchSize: 100, initialBackoffMs: 10, maxBackoffMs: 40, ...options }, handler);
  subscriptions.push(subscription);
  return subscription;
}

function collecting(): { seen: RecordedEvent[]; batches: number[]; handler: BatchHandler } {
  const seen: RecordedEvent[] = [];
  const batches: number[] = [];
  return {
    seen,
    batches,
    handler: async (batch) => {
      batches.push(batch.length);
      seen.push(...batch);
    },
  };
}


function gate(): { wait: () => Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait: () => opened, open };
}

beforeEach(() => {
  feeds = [];
  subscriptions = [];
});

afterEach(async () => {
  await Promise.all(subscriptions.map((s) => s.stop()));
});

describe('EsdbSubscription', () => {
  it('starts from the beginning without a checkpoint and after the checkpoint otherwise', async () => {
    subscribe(async () => undefined);
    subscribe(async () => undefined, { afterPosition: 4096 });
    await until(() => feeds.length === 2, 'two feeds', 2_000);
    expect(feeds[0].from).toBe(START);
    expect(feeds[1].from).toEqual({ commit: 4096n, prepare: 4096n });
  });

  it('hands over whatever has arrived, in batches of at most maxBatchSize, without waiting for a full batch', async () => {
    const blocked = gate();
    const { seen, batches } = collecting();
    subscribe(
      async (batch) => {
        batches.push(batch.length);
        seen.push(...batch);
        if (batches.length === 1) await blocked.wait();
      },
      { maxBatchSize: 2 },
    );
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100);
    await until(() => batches.length === 1, 'the first event on its own', 2_000);
    for (const position of [200, 300, 400, 500, 600]) feeds[0].send(position);
    blocked.open();
    await until(() => seen.length === 6, 'all events', 2_000);
    expect(batches).toEqual([1, 2, 2, 1]);
    expect(seen.map((e) => e.position)).toEqual([100, 200, 300, 400, 500, 600]);
  });

  it('runs one batch at a time and pauses the feed while a batch waits for the handler', async () => {
    const blocked = gate();
    let running = 0;
    let mostAtOnce = 0;
    const { seen } = collecting();
    subscribe(
      async (batch) => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        if (seen.length === 0) await blocked.wait();
        seen.push(...batch);
        running--;
      },
      { maxBatchSize: 2 },
    );
    await until(() => feeds.length === 1, 'the feed', 2_000);
    for (let position = 1; position <= 10; position++) feeds[0].send(position * 100);
    await until(() => feeds[0].isPaused(), 'the feed to pause', 2_000);
    blocked.open();
    await until(() => seen.length === 10, 'all events', 2_000);
    expect(mostAtOnce).toBe(1);
    expect(feeds[0].isPaused()).toBe(false);
  });

  it('leaves out events of other categories and system streams', async () => {
    const { seen } = collecting();
    subscribe(async (batch) => void seen.push(...batch));
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100, '$stats-node');
    feeds[0].send(200, 'order-1');
    feeds[0].send(300);
    await until(() => seen.length === 1, 'the customer event', 2_000);
    expect(seen[0].position).toBe(300);
  });

  it('resubscribes after a drop from the last delivered position and does not deliver anything twice', async () => {
    const { seen, handler } = collecting();
    const subscription = subscribe(handler, { afterPosition: 50 });
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100);
    feeds[0].send(200);
    await until(() => seen.length === 2, 'events before the drop', 2_000);
    feeds[0].emit('error', unavailable());
    await until(() => feeds.length === 2, 'a new subscription', 2_000);
    expect(feeds[0].unsubscribed).toBe(true);
    expect(feeds[0].destroyed).toBe(true);
    expect(feeds[1].from).toEqual({ commit: 200n, prepare: 200n });
    feeds[1].send(200);
    feeds[1].send(300);
    await until(() => seen.length === 3, 'events after the drop', 2_000);
    expect(seen.map((e) => e.position)).toEqual([100, 200, 300]);
    await subscription.stop();
    await expect(subscription.done).resolves.toBeUndefined();
  });

  it('delivers what arrived before a drop, then resumes after the last of it', async () => {
    const blocked = gate();
    const { seen } = collecting();
    subscribe(async (batch) => {
      if (seen.length === 0) await blocked.wait();
      seen.push(...batch);
    });
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100);
    await new Promise((resolve) => setTimeout(resolve, 10));
    feeds[0].send(200);
    feeds[0].send(300);
    feeds[0].destroy(unavailable());
    blocked.open();
    await until(() => feeds.length === 2, 'a new subscription', 2_000);
    expect(seen.map((e) => e.position)).toEqual([100, 200, 300]);
    expect(feeds[1].from).toEqual({ commit: 300n, prepare: 300n });
  });

  it('treats the server ending the subscription as a drop', async () => {
    subscribe(async () => undefined);
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].push(null);
    await until(() => feeds.length === 2, 'a new subscription', 2_000);
    expect(feeds[1].from).toBe(START);
  });

  it('waits longer after each attempt that delivers nothing, up to the cap', async () => {
    const opened: number[] = [];
    const { handler } = collecting();
    subscribe(handler, { initialBackoffMs: 20, maxBackoffMs: 80 });
    for (let attempt = 1; attempt <= 5; attempt++) {
      await until(() => feeds.length === attempt, `attempt ${attempt}`, 2_000);
      opened.push(Date.now());
      feeds[attempt - 1].emit('error', unavailable());
    }
    const gaps = opened.slice(1).map((t, i) => t - opened[i]);
    [20, 40, 80, 80].forEach((least, i) => expect(gaps[i]).toBeGreaterThanOrEqual(least - 5));
    expect(gaps[3]).toBeLessThan(80 + 150);
  });

  it('ends through done, without resubscribing, on an error a new attempt cannot fix', async () => {
    const subscription = subscribe(async () => undefined);
    await until(() => feeds.length === 1, 'the feed', 2_000);
    const denied = Object.assign(new Error('Access denied'), { type: ErrorType.ACCESS_DENIED });
    feeds[0].emit('error', denied);
    await expect(subscription.done).rejects.toBe(denied);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(feeds).toHaveLength(1);
    expect(feeds[0].destroyed).toBe(true);
  });

  it('ends through done on an event it cannot decode, after delivering the ones before', async () => {
    const { seen, handler } = collecting();
    const subscription = subscribe(handler);
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100);
    feeds[0].push({ event: { streamId: 'customer-1', id: randomUUID(), type: 'X', revision: 1n, isJson: true, data: 'oops {', position: { commit: 200n, prepare: 200n } } });
    await expect(subscription.done).rejects.toThrow(/not valid JSON/);
    expect(seen.map((e) => e.position)).toEqual([100]);
    expect(feeds).toHaveLength(1);
  });

  it('ends with the handler error, delivers nothing more and releases the feed', async () => {
    const calls: number[] = [];
    const subscription = subscribe(async (batch) => {
      calls.push(batch.length);
      throw new Error('handler failed');
    });
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100);
    await expect(subscription.done).rejects.toThrow('handler failed');
    expect(feeds[0].unsubscribed).toBe(true);
    await expect(subscription.stop()).resolves.toBeUndefined();
    expect(calls).toEqual([1]);
  });

  it('stop() waits for the batch in progress and delivers nothing after it', async () => {
    const blocked = gate();
    let finished = 0;
    const subscription = subscribe(async () => {
      await blocked.wait();
      finished++;
    });
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].send(100);
    feeds[0].send(200);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const stopped = subscription.stop();
    let resolved = false;
    void stopped.then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    blocked.open();
    await stopped;
    expect(finished).toBe(1);
    expect(feeds[0].unsubscribed).toBe(true);
    await expect(subscription.done).resolves.toBeUndefined();
  });

  it('stop() ends a subscription that is waiting to resubscribe at once', async () => {
    const subscription = subscribe(async () => undefined, { initialBackoffMs: 10_000, maxBackoffMs: 10_000 });
    await until(() => feeds.length === 1, 'the feed', 2_000);
    feeds[0].emit('error', unavailable());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const startedAt = Date.now();
    await subscription.stop();
    expect(Date.now() - startedAt).toBeLessThan(500);
    expect(feeds).toHaveLength(1);
  });

  it('ends through done when the feed cannot be opened', async () => {
    const source = {
      open: (): EsdbFeed => {
        throw new Error('The event store is closed');
      },
      toEvent: () => null,
    };
    const subscription = new EsdbSubscription(source, { maxBatchSize: 10, initialBackoffMs: 10, maxBackoffMs: 40 }, async () => undefined);
    await expect(subscription.done).rejects.toThrow('The event store is closed');
  });
});
