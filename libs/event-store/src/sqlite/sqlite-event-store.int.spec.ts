import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@crm/sqlite';
import { DuplicateEventIdError, type RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';
import { describeEventStoreContract, newEvent, newStreamId } from '../testing/event-store.contract';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';

const folders = new Map<SqliteEventStore, string>();

describeEventStoreContract(
  'SqliteEventStore',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    folders.set(store, dir);
    return store;
  },
  async (store) => {
    await store.close();
    rmSync(folders.get(store as SqliteEventStore)!, { recursive: true, force: true });
  },
  async (store) => new SqliteEventStore(join(folders.get(store as SqliteEventStore)!, 'events.db')),
);

describe('SqliteEventStore', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];

  const open = (options?: SqliteEventStoreOptions) => {
    const store = new SqliteEventStore(file, options);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'event-store-'));
    file = join(dir, 'events.db');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits 100 concurrent appends in one transaction', async () => {
    const store = open();
    const results = await Promise.all(Array.from({ length: 100 }, () => store.append(newStreamId(), [newEvent()], 'no_stream')));
    expect(store.stats()).toEqual({ commits: 1, appends: 100 });
    expect(new Set(results.map((r) => r.position)).size).toBe(100);
  });

  it('caps the number of appends per commit', async () => {
    const store = open({ maxAppendsPerCommit: 10 });
    await Promise.all(Array.from({ length: 25 }, () => store.append(newStreamId(), [newEvent()], 'no_stream')));
    expect(store.stats().commits).toBe(3);
  });

  it('rolls back only the failing appends of a batch', async () => {
    const store = open();
    const [twice, existing] = [newEvent(), newStreamId()];
    await store.append(existing, [newEvent()], 'no_stream');
    const [a, b] = [newStreamId(), newStreamId()];
    const commitsBefore = store.stats().commits;
    const outcomes = await Promise.allSettled([
      store.append(a, [newEvent(), newEvent()], 'no_stream'),
      store.append(existing, [newEvent()], 'no_stream'),
      store.append(b, [newEvent(), twice, twice], 'no_stream'),
      store.append(b, [newEvent()], 'no_stream'),
    ]);
    expect(store.stats().commits).toBe(commitsBefore + 1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
    expect(await store.readStream(a)).toHaveLength(2);
    expect(await store.readStream(existing)).toHaveLength(1);
    expect((await store.readStream(b)).map((e) => e.revision)).toEqual([0]);
  });

  it('lets appends to one stream in the same batch see each other', async () => {
    const store = open();
    const stream = newStreamId();
    const results = await Promise.all([
      store.append(stream, [newEvent()], 'no_stream'),
      store.append(stream, [newEvent(), newEvent()], 0),
      store.append(stream, [newEvent()], 2),
    ]);
    expect(store.stats().commits).toBe(1);
    expect(results.map((r) => r.revision)).toEqual([0, 2, 3]);
  });

  it('rejects an append that repeats an event id within itself', async () => {
    const store = open();
    const stream = newStreamId();
    const event = newEvent();
    await expect(store.append(stream, [event, event], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('rejects events that are not JSON objects before queueing them', async () => {
    const store = open();
    const event = { ...newEvent(), data: [] as unknown as Record<string, unknown> };
    await expect(store.append(newStreamId(), [event], 'any')).rejects.toThrow('JSON objects');
    expect(store.stats().commits).toBe(0);
  });

  it('keeps events, positions and revisions across close and reopen', async () => {
    const first = open();
    const stream = newStreamId();
    await first.append(stream, [newEvent(), newEvent()], 'no_stream');
    const before = await first.readStream(stream);
    await first.close();

    const second = open();
    expect(await second.readStream(stream)).toEqual(before);
    expect(await second.lastPosition()).toBe(before[1].position);
    await expect(second.append(stream, [newEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await second.append(stream, [newEvent()], 1)).toEqual({ revision: 2, position: before[1].position + 1 });
  });

  it('keeps its log id across close and reopen; another file is another log', async () => {
    const first = open();
    const id = await first.logId();
    await first.close();
    expect(await open().logId()).toBe(id);
    const elsewhere = new SqliteEventStore(join(dir, 'other.db'));
    opened.push(elsewhere);
    expect(await elsewhere.logId()).not.toBe(id);
  });

  it('gives a log written by schema version 1 an id once, keeping its events', async () => {
    const old = openDatabase(file);
    old.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL CHECK (revision >= 0),
      event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, revision));
      INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES ('customer-old', 0, 'e-1', 'Old', '{}', '{}');
      PRAGMA user_version = 1;`);
    old.close();
    const first = open();
    const id = await first.logId();
    expect(await first.readStream('customer-old')).toEqual([expect.objectContaining({ eventId: 'e-1', position: 1 })]);
    await first.close();
    expect(await open().logId()).toBe(id);
  });

  it('commits queued appends on close and refuses later calls', async () => {
    const store = open();
    const stream = newStreamId();
    const pending = Array.from({ length: 20 }, (_, i) => store.append(stream, [newEvent()], i === 0 ? 'no_stream' : 'any'));
    await store.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(20);
    await expect(store.append(stream, [newEvent()], 'any')).rejects.toThrow('The event store is closed');
    await expect(store.readStream(stream)).rejects.toThrow('The event store is closed');

    const reopened = open();
    expect((await reopened.readStream(stream)).map((e) => e.revision)).toEqual([...Array(20).keys()]);
  });

  it('wakes a subscription on a local commit without waiting for the poll', async () => {
    const store = open({ pollIntervalMs: 60_000 });
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({}, async (batch) => {
      seen.push(...batch);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const startedAt = Date.now();
    await store.append(newStreamId(), [newEvent()], 'no_stream');
    while (seen.length === 0 && Date.now() - startedAt < 5_000) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(seen).toHaveLength(1);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await subscription.stop();
  });

  it('sees events written by another instance on the same file through the poll', async () => {
    const writer = open();
    const reader = open({ pollIntervalMs: 50 });
    const seen: RecordedEvent[] = [];
    const subscription = reader.subscribeToAll({}, async (batch) => {
      seen.push(...batch);
    });
    const stream = newStreamId();
    await writer.append(stream, [newEvent()], 'no_stream');
    await writer.append(stream, [newEvent(), newEvent()], 0);
    const deadline = Date.now() + 5_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.map((e) => [e.streamId, e.revision])).toEqual([
      [stream, 0],
      [stream, 1],
      [stream, 2],
    ]);
    await subscription.stop();
  });

  it('delivers every event in order when two instances write the same file in turns', async () => {
    const [mine, other] = [open({ pollIntervalMs: 50 }), open()];
    const seen: RecordedEvent[] = [];
    const subscription = mine.subscribeToAll({}, async (batch) => {
      seen.push(...batch);
    });
    const [a, b] = [newStreamId(), newStreamId()];
    // Events appended here are served from memory; the other writer's fill the holes in between.
    for (let i = 0; i < 5; i++) {
      await mine.append(a, [newEvent()], i === 0 ? 'no_stream' : i - 1);
      await other.append(b, [newEvent(), newEvent()], i === 0 ? 'no_stream' : 2 * i - 1);
    }
    const deadline = Date.now() + 5_000;
    while (seen.length < 15 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.stop();
    expect(seen.map((e) => e.position)).toEqual((await mine.readAll()).map((e) => e.position));
    expect(seen).toHaveLength(15);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(15);
  });

  it('ends subscriptions when the store closes', async () => {
    const store = open();
    const subscription = store.subscribeToAll({}, async () => undefined);
    await store.close();
    await expect(subscription.done).resolves.toBeUndefined();
  });
});
