import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '@crm/sqlite';
import {
  type AppendResult,
  DuplicateEventIdError,
  type ExpectedRevision,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { isExpectedRevision } from '../expected-revision';

const SCHEMA_VERSION = 2;

/** An event whose data and metadata are already JSON text, ready to insert. */
export interface SerializedEvent {
  eventId: string;
  type: string;
  data: string;
  metadata: string;
}

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

type Head = Pick<EventRow, 'revision' | 'position'>;

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';

// A stream that does not exist yet has revision -1 and, by our definition, position 0 (the log is 1-based).
const NO_STREAM: AppendResult = { revision: -1, position: 0 };

/**
 * Synchronous access to the log table. Writes must run inside a transaction opened by the caller;
 * `position` is an AUTOINCREMENT rowid, so it is never reused, and since SQLite has one writer at a
 * time, positions become visible in commit order (a reader never sees a later gap being filled).
 */
export class SqliteEventLog {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    migrate(db);
    this.statements = {
      head: db.prepare<[string], Head>('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1'),
      inStream: db.prepare<[string, string], Pick<EventRow, 'revision'>>(
        'SELECT revision FROM events WHERE stream_id = ? AND event_id = ? ORDER BY revision LIMIT 1',
      ),
      ids: db.prepare<[string, number, number], Pick<EventRow, 'event_id' | 'revision' | 'position'>>(
        'SELECT event_id, revision, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      stream: db.prepare<[string, number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      // The same without a limit: a bound `LIMIT -1` makes SQLite plan for a limit, 4x slower per call.
      wholeStream: db.prepare<[string, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision`),
      all: db.prepare<[number, number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE position >= ? AND position <= ? ORDER BY position LIMIT ?`,
      ),
      last: db.prepare<[], { position: number | null }>('SELECT MAX(position) AS position FROM events'),
      logId: db.prepare<[], string>('SELECT log_id FROM log_identity WHERE singleton = 1').pluck(),
      insert: db.prepare<[string, number, string, string, string, string]>(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /**
   * `written` tells whether rows were inserted (not an idempotent repeat or an empty append).
   * A retry of an earlier append is recognised within its stream (as EventStoreDB does): it shows
   * as an expected revision that no longer matches, so the stream is only searched for the event
   * ids then, or when the caller expects nothing precise ('any', 'stream_exists'). Keeping the hot
   * path to one index lookup and one insert is why there is no global index on event ids.
   */
  append(streamId: string, events: SerializedEvent[], expected: ExpectedRevision): AppendResult & { written: boolean } {
    const head = this.statements.head.get(streamId) ?? NO_STREAM;
    const matches = isExpectedRevision(expected, head.revision);
    if (events.length > 0 && head.revision >= 0 && (!matches || typeof expected !== 'number')) {
      const earlier = this.earlierAppend(streamId, events);
      if (earlier) return { ...earlier, written: false };
    }
    if (!matches) throw new WrongExpectedRevisionError(streamId, expected, head.revision);
    const ids = new Set(events.map((e) => e.eventId));
    if (ids.size < events.length) throw new DuplicateEventIdError(streamId, events.find((e, i) => events.findIndex((f) => f.eventId === e.eventId) !== i)!.eventId);
    let result: AppendResult = { revision: head.revision, position: head.position };
    for (const event of events) {
      const revision = result.revision + 1;
      result = { revision, position: this.insert(streamId, revision, event) };
    }
    return { ...result, written: events.length > 0 };
  }

  readStream(streamId: string, fromRevision: number, maxCount: number): RecordedEvent[] {
    const rows = maxCount < 0 ? this.statements.wholeStream.all(streamId, fromRevision) : this.statements.stream.all(streamId, fromRevision, maxCount);
    return rows.map(toRecorded);
  }

  readAll(fromPosition: number, maxCount: number, toPosition = Number.MAX_SAFE_INTEGER): RecordedEvent[] {
    return this.statements.all.all(fromPosition, toPosition, maxCount).map(toRecorded);
  }

  lastPosition(): number {
    return this.statements.last.get()?.position ?? 0;
  }

  logId(): string {
    const id = this.statements.logId.get();
    if (!id) throw new Error('The event log has no id (its log_identity table is empty)');
    return id;
  }

  /** The original result when `events` repeats an append already stored (same ids, consecutive revisions). */
  private earlierAppend(streamId: string, events: SerializedEvent[]): AppendResult | null {
    const first = this.statements.inStream.get(streamId, events[0].eventId);
    if (!first) return null;
    {
      const stored = this.statements.ids.all(streamId, first.revision, events.length);
      if (stored.length === events.length && stored.every((row, i) => row.event_id === events[i].eventId)) {
        const last = stored[stored.length - 1];
        return { revision: last.revision, position: last.position };
      }
    }
    throw new DuplicateEventIdError(streamId, events[0].eventId);
  }

  private insert(streamId: string, revision: number, event: SerializedEvent): number {
    const { lastInsertRowid } = this.statements.insert.run(streamId, revision, event.eventId, event.type, event.data, event.metadata);
    return Number(lastInsertRowid);
  }
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw new Error(`Event store schema ${version} is newer than this code understands (${SCHEMA_VERSION})`);
  if (version === SCHEMA_VERSION) return;
  // The (stream_id, revision) unique index serves stream reads and the O(log n) expected-revision check.
  // Version 2 adds the log's id; a log created by version 1 gets one when it is first opened.
  db.exec(`
    BEGIN IMMEDIATE;
    CREATE TABLE IF NOT EXISTS events (
      position INTEGER PRIMARY KEY AUTOINCREMENT,
      stream_id TEXT NOT NULL,
      revision INTEGER NOT NULL CHECK (revision >= 0),
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      data TEXT NOT NULL,
      metadata TEXT NOT NULL,
      UNIQUE (stream_id, revision)
    );
    CREATE TABLE IF NOT EXISTS log_identity (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      log_id TEXT NOT NULL
    );
    INSERT OR IGNORE INTO log_identity (singleton, log_id) VALUES (1, '${randomUUID()}');
    PRAGMA user_version = ${SCHEMA_VERSION};
    COMMIT;
  `);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: row.revision,
    position: row.position,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
  };
}
