import {
  ANY,
  type AppendStreamState,
  type CurrentStreamState,
  ErrorType,
  type EventData,
  jsonEvent,
  NO_STREAM,
  type Position,
  type ReadPosition,
  START,
  STREAM_EXISTS,
} from '@kurrent/kurrentdb-client';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
} from '../event-store.port';

/** The fields of a client record the port needs; both the gRPC and the Rust-bridge reads produce it. */
export interface EsdbRecord {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new TypeError(`Expected revision must be a revision (integer >= 0), got ${expected}`);
      return BigInt(expected);
  }
}

/** The port's "actual revision": the stream's last revision, -1 when it does not exist (or is deleted). */
export function actualRevision(state: CurrentStreamState): number {
  return state === NO_STREAM || state < 0n ? -1 : revisionToNumber(state);
}

export function revisionToNumber(revision: bigint): number {
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`Stream revision ${revision} does not fit a JS number`);
  return Number(revision);
}

/**
 * The port's global position is the commit position. That is exact only below 2^53 (a 9 PB
 * transaction log), so larger ones are refused rather than rounded. Mapping back uses
 * { commit: n, prepare: n }, which is right because every event appended through the gRPC API is
 * an implicitly committed prepare whose commit and prepare positions are both its own log position
 * (KurrentDB AllReader; the append reply carries the last event's log position as both). Only
 * events written by the legacy TCP explicit transactions differ; they are refused here, since
 * resuming from them would skip events.
 */
export function positionToNumber(position: Position): number {
  if (position.commit !== position.prepare) {
    throw new RangeError(`Log position ${position.commit}/${position.prepare} has commit != prepare; this adapter only supports events appended through the gRPC API`);
  }
  if (position.commit < 0n || position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Log position ${position.commit} does not fit a JS number (limit 2^53 - 1)`);
  }
  return Number(position.commit);
}

export function numberToPosition(position: number): Position {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`Not a log position: ${position}`);
  return { commit: BigInt(position), prepare: BigInt(position) };
}

/**
 * $all can only be read from the start of a log record, and the port allows any number (callers
 * page with "last position + 1"). So a read from n is tried at n - 1 first (a record boundary when
 * n - 1 is an event the caller saw, the usual case), then at n; the caller drops what lies before n.
 */
export function readAllStarts(fromPosition: number | undefined): ReadPosition[] {
  if (fromPosition === undefined || fromPosition <= 1) return [START];
  return [numberToPosition(fromPosition - 1), numberToPosition(fromPosition)];
}

export function subscriptionStart(afterPosition: number | undefined): ReadPosition {
  return afterPosition === undefined || afterPosition <= 0 ? START : numberToPosition(afterPosition);
}

export function toEventData(event: EventToAppend): EventData {
  if (typeof event.eventId !== 'string' || !UUID.test(event.eventId)) {
    throw new TypeError(`Every event needs a uuid eventId (EventStoreDB stores event ids as UUIDs), got ${JSON.stringify(event.eventId)}`);
  }
  if (typeof event.type !== 'string' || event.type === '') throw new TypeError(`Event ${event.eventId} needs a type`);
  if (!isJsonObject(event.data) || !isJsonObject(event.metadata)) throw new TypeError('Event data and metadata must be JSON objects');
  return jsonEvent({ id: event.eventId, type: event.type, data: event.data, metadata: event.metadata });
}

export function assertDistinctIds(streamId: string, events: EventToAppend[]): void {
  const seen = new Set<string>();
  for (const event of events) {
    const id = String(event.eventId).toLowerCase();
    if (seen.has(id)) throw new DuplicateEventIdError(streamId, event.eventId);
    seen.add(id);
  }
}

/** Only the category's own events: never system streams or system event types (`$...`), nor unresolved links. */
export function inCategory(streamId: string, type: string, prefix: string): boolean {
  return streamId.startsWith(prefix) && !streamId.startsWith('$') && !type.startsWith('$');
}

/** null for an event outside the category (or a resolved event without one). */
export function toRecordedEvent(record: EsdbRecord | undefined, prefix: string): RecordedEvent | null {
  if (!record || !inCategory(record.streamId, record.type, prefix)) return null;
  if (!record.position) throw new Error(`Event ${record.id} came without its log position (EventStoreDB 22.6 or later is required)`);
  return {
    eventId: record.id,
    streamId: record.streamId,
    type: record.type,
    revision: revisionToNumber(record.revision),
    position: positionToNumber(record.position),
    data: record.isJson ? jsonObject(record.data, `data of event ${record.id}`) : fail(`Event ${record.id} is not JSON`),
    metadata: record.metadata === undefined ? {} : jsonObject(record.metadata, `metadata of event ${record.id}`),
  };
}

/**
 * When `events` repeats an append the stream already holds (same ids, consecutive revisions, same
 * order), that append's result; null when none of the ids is in the stream. Any other overlap is a
 * reuse of an id, not a retry.
 */
export function earlierAppend(streamId: string, stored: RecordedEvent[], events: EventToAppend[]): AppendResult | null {
  if (events.length === 0) return null;
  const at = new Map(stored.map((e, i) => [e.eventId.toLowerCase(), i]));
  const reused = events.find((e) => at.has(e.eventId.toLowerCase()));
  if (!reused) return null;
  const first = at.get(events[0].eventId.toLowerCase());
  const run = first === undefined ? [] : stored.slice(first, first + events.length);
  if (run.length === events.length && run.every((e, i) => e.eventId.toLowerCase() === events[i].eventId.toLowerCase())) {
    const last = run[run.length - 1];
    return { revision: last.revision, position: last.position };
  }
  throw new DuplicateEventIdError(streamId, reused.eventId);
}

/** Errors where trying again (another start position, a new subscription) cannot help, or must not be hidden. */
export function isPermanentError(error: unknown): boolean {
  const { type, code } = (error ?? {}) as { type?: unknown; code?: unknown };
  if (type === ErrorType.ACCESS_DENIED || type === ErrorType.INVALID_ARGUMENT || type === ErrorType.UNSUPPORTED) return true;
  // gRPC INVALID_ARGUMENT (the server's answer to an invalid $all position), PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED.
  return code === 3 || code === 7 || code === 12 || code === 16;
}

/** Errors that reading from another start position cannot fix: reaching the server, or being allowed to. */
export function isPositionIndependentError(error: unknown): boolean {
  const { type } = (error ?? {}) as { type?: unknown };
  return (
    type === ErrorType.UNAVAILABLE ||
    type === ErrorType.DEADLINE_EXCEEDED ||
    type === ErrorType.TIMEOUT ||
    type === ErrorType.CANCELLED ||
    type === ErrorType.NOT_LEADER ||
    type === ErrorType.ACCESS_DENIED
  );
}

export function nextBackoff(currentMs: number, maxMs: number): number {
  return Math.min(currentMs * 2, maxMs);
}

function jsonObject(value: unknown, what: string): JsonObject {
  const parsed = value instanceof Uint8Array ? parseJson(Buffer.from(value).toString('utf8'), what) : typeof value === 'string' ? parseJson(value, what) : value;
  if (!isJsonObject(parsed)) throw new Error(`The ${what} is not a JSON object`);
  return parsed;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`The ${what} is not valid JSON`);
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function fail(message: string): never {
  throw new Error(message);
}
