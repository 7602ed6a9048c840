import type { ExpectedRevision } from './event-store.port';

/** `actual` is the stream's last revision, -1 when the stream does not exist. */
export function isExpectedRevision(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1;
    case 'stream_exists':
      return actual >= 0;
    default:
      return expected === actual;
  }
}
