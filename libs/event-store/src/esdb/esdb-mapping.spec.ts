import { randomUUID } from 'node:crypto';
import { ANY, ErrorType, NO_STREAM, START, STREAM_EXISTS } from '@kurrent/kurrentdb-client';
import { DuplicateEventIdError, type EventToAppend, type RecordedEvent } from '../event-store.port';
import {
  actualRevision,
  assertDistinctIds,
  earlierAppend,
  type EsdbRecord,
  isPermanentError,
  isPositionIndependentError,
  nextBackoff,
  numberToPosition,
  positionToNumber,
  readAllStarts,
  revisionToNumber,
  subscriptionStart,
  toEventData,
  toRecordedEvent,
  toStreamState,
} from './esdb-mapping';

const PREFIX = 'customer-';
const MAX = Number.MAX_SAFE_INTEGER;

function record(overrides: Partial<EsdbRecord> = {}): EsdbRecord {
  return {
    streamId: 'customer-1',
    id: randomUUID(),
    type: 'CustomerAcquired',
    revision: 3n,
    isJson: true,
    data: { name: 'Zoë' },
    metadata: { actor: { id: 'u-1', role: 'service' } },
    position: { commit: 4096n, prepare: 4096n },
    ...overrides,
  };
}

function toAppend(eventId = randomUUID()): EventToAppend {
  return { eventId, type: 'ContractTested', data: {}, metadata: {} };
}

function stored(streamId: string, events: EventToAppend[]): RecordedEvent[] {
  return events.map((e, revision) => ({ ...e, streamId, revision, position: 1000 + 100 * revision }));
}

describe('expected revision -> client stream state', () => {
  it.each([
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    ['any', ANY],
  ] as const)('maps %s to the client constant', (expected, state) => {
    expect(toStreamState(expected)).toBe(state);
  });

  it('maps a revision to a bigint', () => {
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
  });

  it.each([-1, 1.5, Number.NaN, MAX + 1])('refuses %s as a revision', (revision) => {
    expect(() => toStreamState(revision)).toThrow(TypeError);
  });
});

describe('actual revision from a wrong-expected-version error', () => {
  it('is -1 for a missing stream and the revision otherwise', () => {
    expect(actualRevision(NO_STREAM)).toBe(-1);
    expect(actualRevision(0n)).toBe(0);
    expect(actualRevision(7n)).toBe(7);
  });

  it('is -1 for the negative states of deleted streams', () => {
    expect(actualRevision(-5n)).toBe(-1);
  });

  it('refuses revisions beyond 2^53', () => {
    expect(revisionToNumber(BigInt(MAX))).toBe(MAX);
    expect(() => revisionToNumber(BigInt(MAX) + 1n)).toThrow(RangeError);
  });
});

describe('positions', () => {
  it('maps the commit position to a number and back', () => {
    expect(positionToNumber({ commit: 123n, prepare: 123n })).toBe(123);
    expect(numberToPosition(123)).toEqual({ commit: 123n, prepare: 123n });
    expect(positionToNumber(numberToPosition(MAX))).toBe(MAX);
  });

  it('refuses positions beyond 2^53 rather than rounding them', () => {
    const beyond = BigInt(MAX) + 2n;
    expect(() => positionToNumber({ commit: beyond, prepare: beyond })).toThrow(/does not fit/);
    expect(() => numberToPosition(MAX + 2)).toThrow(RangeError);
  });

  it('refuses a position whose commit and prepare differ, since it could not be resumed from', () => {
    expect(() => positionToNumber({ commit: 200n, prepare: 100n })).toThrow(/commit != prepare/);
  });

  it.each([-1, 0.5, Number.NaN])('refuses %s as a position', (position) => {
    expect(() => numberToPosition(position)).toThrow(RangeError);
  });

  it('reads $all from the start when no position, or nothing before position 1, is asked for', () => {
    expect(readAllStarts(undefined)).toEqual([START]);
    expect(readAllStarts(0)).toEqual([START]);
    expect(readAllStarts(1)).toEqual([START]);
  });

  it('reads $all from the position before first (the usual "last seen + 1"), then from the position itself', () => {
    expect(readAllStarts(4097)).toEqual([
      { commit: 4096n, prepare: 4096n },
      { commit: 4097n, prepare: 4097n },
    ]);
  });

  it('subscribes from the start without a checkpoint, else after it', () => {
    expect(subscriptionStart(undefined)).toBe(START);
    expect(subscriptionStart(0)).toBe(START);
    expect(subscriptionStart(4096)).toEqual({ commit: 4096n, prepare: 4096n });
  });
});

describe('event to append -> client event data', () => {
  it('keeps the event id, so the server can recognise a retry, and sends JSON', () => {
    const event = { eventId: randomUUID(), type: 'PurchaseRecorded', data: { amountMinor: 100 }, metadata: { commandId: 'c-1' } };
    expect(toEventData(event)).toEqual({
      id: event.eventId,
      contentType: 'application/json',
      type: 'PurchaseRecorded',
      data: { amountMinor: 100 },
      metadata: { commandId: 'c-1' },
    });
  });

  it.each(['', 'not-a-uuid', undefined])('refuses the event id %p', (eventId) => {
    expect(() => toEventData({ ...toAppend(), eventId: eventId as string })).toThrow(/uuid eventId/);
  });

  it('refuses a missing type and data or metadata that are not JSON objects', () => {
    expect(() => toEventData({ ...toAppend(), type: '' })).toThrow(/needs a type/);
    expect(() => toEventData({ ...toAppend(), data: [] as unknown as Record<string, unknown> })).toThrow(/JSON objects/);
    expect(() => toEventData({ ...toAppend(), metadata: null as unknown as Record<string, unknown> })).toThrow(/JSON objects/);
  });

  it('refuses an append that holds one event id twice', () => {
    const twice = toAppend();
    expect(() => assertDistinctIds('customer-1', [twice, toAppend(), { ...twice, eventId: twice.eventId.toUpperCase() }])).toThrow(DuplicateEventIdError);
    expect(() => assertDistinctIds('customer-1', [toAppend(), toAppend()])).not.toThrow();
  });
});

describe('recorded event -> port event', () => {
  it('maps ids, revision, position, data and metadata', () => {
    const r = record();
    expect(toRecordedEvent(r, PREFIX)).toEqual({
      eventId: r.id,
      streamId: 'customer-1',
      type: 'CustomerAcquired',
      revision: 3,
      position: 4096,
      data: { name: 'Zoë' },
      metadata: { actor: { id: 'u-1', role: 'service' } },
    });
  });

  it('parses metadata that arrives as raw JSON bytes or text, and reads missing metadata as {}', () => {
    const bytes = new TextEncoder().encode('{"occurredAt":"2024-02-29T23:59:59.999Z"}');
    expect(toRecordedEvent(record({ metadata: bytes }), PREFIX)?.metadata).toEqual({ occurredAt: '2024-02-29T23:59:59.999Z' });
    expect(toRecordedEvent(record({ metadata: '{"schemaVersion":2}' }), PREFIX)?.metadata).toEqual({ schemaVersion: 2 });
    expect(toRecordedEvent(record({ metadata: undefined }), PREFIX)?.metadata).toEqual({});
  });

  it('refuses metadata or data that are not JSON objects instead of guessing', () => {
    expect(() => toRecordedEvent(record({ metadata: new TextEncoder().encode('{oops') }), PREFIX)).toThrow(/not valid JSON/);
    expect(() => toRecordedEvent(record({ metadata: [1, 2] }), PREFIX)).toThrow(/not a JSON object/);
    expect(() => toRecordedEvent(record({ data: 'malformed {' }), PREFIX)).toThrow(/not valid JSON/);
    expect(() => toRecordedEvent(record({ isJson: false, data: new Uint8Array([1]) }), PREFIX)).toThrow(/not JSON/);
  });

  it.each([
    ['a system stream', { streamId: '$stats-127.0.0.1:2113' }],
    ['a metadata stream', { streamId: '$$customer-1' }],
    ['a system event type', { type: '$metadata' }],
    ['an unresolved link', { type: '$>' }],
    ['another category', { streamId: 'order-1' }],
  ])('leaves out %s', (_, overrides) => {
    expect(toRecordedEvent(record(overrides), PREFIX)).toBeNull();
  });

  it('leaves out a resolved event without an event, and reads any stream when no prefix is given', () => {
    expect(toRecordedEvent(undefined, PREFIX)).toBeNull();
    expect(toRecordedEvent(record({ streamId: 'order-1' }), '')?.streamId).toBe('order-1');
  });

  it('needs the log position, which servers before 22.6 leave out of stream reads', () => {
    expect(() => toRecordedEvent(record({ position: undefined }), PREFIX)).toThrow(/log position/);
  });
});

describe('recognising a retried append', () => {
  const stream = 'customer-1';
  const earlier = [toAppend(), toAppend(), toAppend()];
  const log = stored(stream, [toAppend(), ...earlier, toAppend()]);

  it('returns the original result when the same ids sit at consecutive revisions in the same order', () => {
    expect(earlierAppend(stream, log, earlier)).toEqual({ revision: 3, position: 1300 });
  });

  it('matches event ids case-insensitively, as the server formats uuids itself', () => {
    expect(earlierAppend(stream, log, earlier.map((e) => ({ ...e, eventId: e.eventId.toUpperCase() })))).toEqual({ revision: 3, position: 1300 });
  });

  it('is no retry when none of the ids is stored', () => {
    expect(earlierAppend(stream, log, [toAppend(), toAppend()])).toBeNull();
    expect(earlierAppend(stream, [], [toAppend()])).toBeNull();
    expect(earlierAppend(stream, log, [])).toBeNull();
  });

  it.each([
    ['only part of it', () => [earlier[0], toAppend()]],
    ['the ids in another order', () => [earlier[1], earlier[0], earlier[2]]],
    ['a new event first', () => [toAppend(), ...earlier]],
    ['more events than were stored', () => [...earlier, toAppend(), toAppend()]],
  ])('rejects an append that repeats %s with DuplicateEventIdError', (_, events) => {
    const error = (() => {
      try {
        earlierAppend(stream, log, events());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DuplicateEventIdError);
    expect(error).toMatchObject({ streamId: stream });
  });
});

describe('error classes', () => {
  it('treats access and invalid requests (such as an invalid $all position) as permanent, connection trouble as passing', () => {
    expect(isPermanentError({ type: ErrorType.ACCESS_DENIED })).toBe(true);
    expect(isPermanentError({ code: 3, message: 'Trying to read from an invalid position.' })).toBe(true);
    expect(isPermanentError({ type: ErrorType.UNAVAILABLE, code: 14 })).toBe(false);
    expect(isPermanentError({ type: ErrorType.NOT_LEADER })).toBe(false);
    expect(isPermanentError(new Error('The server ended the $all subscription'))).toBe(false);
    expect(isPermanentError(undefined)).toBe(false);
  });

  it('does not retry another start position after connection or permission failures', () => {
    expect(isPositionIndependentError({ type: ErrorType.UNAVAILABLE })).toBe(true);
    expect(isPositionIndependentError({ type: ErrorType.DEADLINE_EXCEEDED })).toBe(true);
    expect(isPositionIndependentError({ type: ErrorType.ACCESS_DENIED })).toBe(true);
    expect(isPositionIndependentError({ type: ErrorType.UNKNOWN })).toBe(false);
  });

  it('doubles the resubscription delay up to its cap', () => {
    const delays = [100];
    while (delays.length < 8) delays.push(nextBackoff(delays[delays.length - 1], 5_000));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});
