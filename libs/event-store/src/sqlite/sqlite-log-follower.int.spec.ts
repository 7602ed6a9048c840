import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../event-store.port';
import { newEvent, newStreamId } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';
import { SqliteLogFollower } from './sqlite-log-follower';
import { holdNextFsync } from '../../../sqlite/src/testing/hold-fsync';


describe('SqliteLogFollower (the log read from another thread, up to what the writer made durable)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let follower: SqliteLogFollower | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-follower-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await follower?.close();
    follower = null;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const appendSome = (count: number) => Promise.all(Array.from({ length: count }, () => store.append(newStreamId(), [newEvent()], 'no_stream')));

  it('the writer reports each durable position, and durablePosition() is the last of them', async () => {
    const reported: number[] = [];
    const stop = store.onDurable((position) => reported.push(position));
    await appendSome(3);
    expect(store.durablePosition()).toBe(3);
    expect(reported.at(-1)).toBe(3);
    stop();
    await appendSome(1);
    expect(reported.at(-1)).toBe(3);
    expect(store.durablePosition()).toBe(4);
  });

  it('an append committed but not yet fsynced is not durable, and a follower does not read it', async () => {
    await appendSome(2);
    follower = new SqliteLogFollower(store.file, store.durablePosition());
    // Hold the next fsync of the log: the transaction is committed, the data not yet on disk.
    const fsync = holdNextFsync();
    const pending = store.append(newStreamId(), [newEvent()], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.durablePosition()).toBe(2);
    follower.advance(store.durablePosition());
    expect((await follower.readAll()).map((e) => e.position)).toEqual([1, 2]);
    // The head counts the committed append, as the writer's own lastPosition() does: the read models are behind it.
    expect(await follower.lastPosition()).toBe(3);

    fsync.release();
    expect((await pending).position).toBe(3);
    expect(store.durablePosition()).toBe(3);
    follower.advance(store.durablePosition());
    expect((await follower.readAll()).map((e) => e.position)).toEqual([1, 2, 3]);
  });

  it('a subscription delivers what advance() made durable, in order, and waits for more', async () => {
    await appendSome(3);
    follower = new SqliteLogFollower(store.file, 2);
    const seen: RecordedEvent[] = [];
    const subscription = follower.subscribeToAll({ afterPosition: 0 }, async (batch) => void seen.push(...batch));
    await waitUntil(() => seen.length === 2);
    expect(seen.map((e) => e.position)).toEqual([1, 2]);

    follower.advance(3);
    await waitUntil(() => seen.length === 3);
    const more = await appendSome(2);
    follower.advance(store.durablePosition());
    await waitUntil(() => seen.length === 5);
    expect(seen.map((e) => e.position)).toEqual([1, 2, 3, ...more.map((r) => r.position)]);
    await subscription.stop();
  });

  it('reads streams and the log id as the writer does, and refuses appends', async () => {
    const streamId = newStreamId();
    await store.append(streamId, [newEvent(), newEvent()], 'no_stream');
    follower = new SqliteLogFollower(store.file, store.durablePosition());
    expect(await follower.readStream(streamId)).toEqual(await store.readStream(streamId));
    expect(await follower.logId()).toBe(await store.logId());
    await expect(follower.append()).rejects.toThrow(/read-only/);
    expect(await store.lastPosition()).toBe(2);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
