import { recordedEvent } from '../testing/event-fixtures';
import { rejection } from '../testing/rejection';
import { toCustomerEventMessage } from './customer-event.message';
import { decodeFeedMessage, decodeWatermarkMessage, toWatermarkMessage } from './watermark.message';

describe('watermark message', () => {
  const watermark = toWatermarkMessage(2, 981);

  it('is written to an explicit partition, without a key, with its kind in a header', () => {
    expect(watermark).toEqual({
      key: null,
      partition: 2,
      value: '{"kind":"watermark","position":981}',
      headers: { 'message-kind': 'watermark', 'content-type': 'application/json' },
    });
  });

  it('round-trips, also as a consumer receives it (Buffers)', () => {
    expect(decodeWatermarkMessage(watermark)).toEqual({ kind: 'watermark', position: 981 });
    const consumed = { key: null, value: Buffer.from(watermark.value), headers: { 'message-kind': Buffer.from('watermark'), 'content-type': Buffer.from('application/json') } };
    expect(decodeFeedMessage(consumed)).toEqual({ kind: 'watermark', position: 981 });
  });

  it('a position of 0 (nothing published yet) is a valid watermark', () => {
    expect(decodeWatermarkMessage(toWatermarkMessage(0, 0)).position).toBe(0);
  });

  it.each([
    ['a negative position', { ...watermark, value: '{"kind":"watermark","position":-1}' }, /position/],
    ['a position that is a string', { ...watermark, value: '{"kind":"watermark","position":"981"}' }, /position/],
    ['another kind in the value', { ...watermark, value: '{"kind":"event","position":1}' }, /kind/],
    ['an unknown field', { ...watermark, value: '{"kind":"watermark","position":1,"partition":2}' }, /Unrecognized key/],
    ['a key', { ...watermark, key: 'customer-1' }, /a watermark has no key/],
    ['no content type', { ...watermark, headers: { 'message-kind': 'watermark' } }, /header content-type is missing/],
    ['a value that is not JSON', { ...watermark, value: 'watermark 981' }, /value is not valid JSON/],
  ])('rejects %s', (_case, bad, reason) => {
    expect(rejection(() => decodeWatermarkMessage(bad))).toMatch(reason);
  });
});

describe('feed message (the customer-events topic)', () => {
  it('tells events from watermarks by the message-kind header', () => {
    const event = recordedEvent();
    const decoded = decodeFeedMessage(toCustomerEventMessage(event));
    expect(decoded.kind).toBe('event');
    expect(decoded.kind === 'event' && decoded.event.eventId).toBe(event.eventId);
    expect(decodeFeedMessage(toWatermarkMessage(0, 5))).toEqual({ kind: 'watermark', position: 5 });
  });

  it('rejects a message without a kind, or of an unknown kind', () => {
    expect(rejection(() => decodeFeedMessage({ key: null, value: '{}' }))).toBe('header message-kind is missing');
    expect(rejection(() => decodeFeedMessage({ key: null, value: '{}', headers: { 'message-kind': 'snapshot' } }))).toBe('unknown message-kind "snapshot"');
  });

  it('passes on the reason of the message it could not decode', () => {
    const event = toCustomerEventMessage(recordedEvent({ revision: 4 }));
    const tampered = { ...event, headers: { ...event.headers, 'stream-revision': '5' } };
    expect(rejection(() => decodeFeedMessage(tampered))).toMatch(/stream-revision/);
  });
});
