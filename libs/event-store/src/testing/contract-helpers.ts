import { randomUUID } from 'node:crypto';
import { type EventToAppend, type ExpectedRevision, type RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';

export function newStreamId(): string {
  return `customer-${randomUUID()}`;
}

export function newEvent(type = 'ContractTested', data: Record<string, unknown> = {}): EventToAppend {
  return { eventId: randomUUID(), type, data, metadata: { source: 'contract' } };
}

export function newEvents(count: number): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => newEvent('ContractTested', { n: i }));
}

/** Only the test's own events: on a shared store, other writers' events may sit in between. */
export function ownEvents(all: RecordedEvent[], ...streams: string[]): RecordedEvent[] {
  return all.filter((e) => streams.includes(e.streamId));
}

export async function expectWrongRevision(promise: Promise<unknown>, expected: ExpectedRevision, actual: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject({ expected, actual });
}

export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
