import { recordedEvent } from '../testing/event-fixtures';
import { rejection } from '../testing/rejection';
import { toCustomerEventMessage } from './customer-event.message';
import { decodeDeadLetterMessage, toDeadLetterMessage } from './dead-letter.message';

describe('dead-letter message', () => {
  const original = toCustomerEventMessage(recordedEvent());
  // As a consumer receives it: Buffers and an offset.
  const consumed = {
    offset: '9007199254740993',
    key: Buffer.from(original.key),
    value: Buffer.from(original.value),
    headers: { ...Object.fromEntries(Object.entries(original.headers).map(([k, v]) => [k, Buffer.from(v)])), trace: [Buffer.from('a'), Buffer.from('b')] },
  };
  const input = { reason: 'revision gap: expected 2, got 3', topic: 'crm.customer-events.v1', partition: 1, message: consumed, parkedCustomerId: original.key, failedAt: '2025-03-01T12:00:00.000Z' };

  it('carries the original message as text, where it came from and why it failed, keyed by the parked customer', () => {
    const message = toDeadLetterMessage(input);
    expect(message.key).toBe(original.key);
    expect(message.headers).toEqual({ 'message-kind': 'dead-letter', 'content-type': 'application/json' });
    expect(JSON.parse(message.value)).toEqual({
      reason: 'revision gap: expected 2, got 3',
      topic: 'crm.customer-events.v1',
      partition: 1,
      offset: '9007199254740993',
      key: original.key,
      value: original.value,
      headers: { ...original.headers, trace: ['a', 'b'] },
      parkedCustomerId: original.key,
      failedAt: '2025-03-01T12:00:00.000Z',
    });
    expect(decodeDeadLetterMessage(message)).toEqual(JSON.parse(message.value));
  });

  it('keeps an unreadable original with no key and no value', () => {
    const message = toDeadLetterMessage({ ...input, parkedCustomerId: undefined, message: { offset: '0', key: null, value: null } });
    expect(message.key).toBeNull();
    expect(decodeDeadLetterMessage(message)).toMatchObject({ key: null, value: null, headers: {} });
    expect(decodeDeadLetterMessage(message)).not.toHaveProperty('parkedCustomerId');
  });

  const message = toDeadLetterMessage(input);
  const withValue = (change: Record<string, unknown>) => ({ ...message, value: JSON.stringify({ ...JSON.parse(message.value), ...change }) });
  it.each([
    ['no reason', withValue({ reason: '' }), /reason/],
    ['an offset that is a number', withValue({ offset: 12 }), /offset/],
    ['a negative partition', withValue({ partition: -1 }), /partition/],
    ['a failedAt that is not a timestamp', withValue({ failedAt: 'now' }), /failedAt/],
    ['a header value that is a number', withValue({ headers: { a: 1 } }), /headers\.a/],
    ['a key other than the parked customer', { ...message, key: 'x' }, /key x is not/],
    ['another kind', { ...message, headers: { ...message.headers, 'message-kind': 'event' } }, /header message-kind/],
  ])('rejects %s', (_case, bad, reason) => {
    expect(rejection(() => decodeDeadLetterMessage(bad))).toMatch(reason);
  });
});
