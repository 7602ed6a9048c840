import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecordedEvent } from '@crm/event-store';
import { SqliteEventStore } from '@crm/event-store';

interface Ack {
  streamId: string;
  revision: number;
  position: number;
  eventIds: string[];
}

const root = resolve(__dirname, '../..');
const writer = join(__dirname, 'fixtures', 'crash-writer.js');

// The child runs plain JavaScript, so the adapter is compiled once, with the project's swc config,
// into a scratch folder (not dist/, which other builds may be writing at the same time).
function buildAdapter(outDir: string): string {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/@swc/cli/bin/swc.js'), 'libs/event-store/src', 'libs/sqlite/src', '--out-dir', outDir, '--config-file', '.swcrc', '--quiet'],
    { cwd: root, stdio: 'pipe' },
  );
  return join(outDir, 'libs/event-store/src/sqlite/sqlite-event-store.js');
}

async function runAndKill(modulePath: string, file: string, killAfterAcks: number): Promise<Ack[]> {
  const child: ChildProcess = spawn(process.execPath, [writer, modulePath, file], {
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    if (lines.length >= killAfterAcks && !child.killed) child.kill('SIGKILL');
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (signal !== 'SIGKILL') throw new Error(`The writer exited by itself (code ${code}): ${stderr}`);
  // Lines are written with one write(2) each, well under PIPE_BUF, so a complete line is a whole ack.
  return lines.map((line) => JSON.parse(line) as Ack);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

async function expectConsistent(store: SqliteEventStore, acks: Ack[]): Promise<void> {
  for (const ack of acks) {
    const first = ack.revision - ack.eventIds.length + 1;
    const stored = await store.readStream(ack.streamId, { fromRevision: first, maxCount: ack.eventIds.length });
    expect(stored.map((e) => e.eventId)).toEqual(ack.eventIds);
    expect(stored[stored.length - 1].position).toBe(ack.position);
  }

  const log = await store.readAll();
  for (let i = 1; i < log.length; i++) expect(log[i].position).toBeGreaterThan(log[i - 1].position);
  for (const events of groupBy(log, (e) => e.streamId).values()) {
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
  }
  const written = log.filter((e) => e.type === 'CrashTested');
  for (const events of groupBy(written, (e: RecordedEvent) => String(e.metadata.batch)).values()) {
    expect(events).toHaveLength(Number(events[0].metadata.size));
    expect(events.map((e) => e.metadata.index)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => events[0].revision + i));
  }
}

describe('SqliteEventStore after SIGKILL', () => {
  let dir: string;
  let modulePath: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'event-store-crash-'));
    modulePath = buildAdapter(join(dir, 'build'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged append, with no gaps and no partial batches, at several kill points', async () => {
    const file = join(dir, 'events.db');
    const acknowledged: Ack[] = [];
    for (const killAfter of [150, 200 + Math.floor(Math.random() * 400), 600 + Math.floor(Math.random() * 1400), 1500]) {
      const acks = await runAndKill(modulePath, file, killAfter);
      expect(acks.length).toBeGreaterThanOrEqual(killAfter);
      acknowledged.push(...acks);

      const store = new SqliteEventStore(file);
      try {
        await expectConsistent(store, acknowledged);
        const last = acks[acks.length - 1];
        const head = (await store.readStream(last.streamId)).length - 1;
        const resumed = await store.append(last.streamId, [{ eventId: randomUUID(), type: 'AfterCrash', data: {}, metadata: {} }], head);
        expect(resumed.revision).toBe(head + 1);
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
