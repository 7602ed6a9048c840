import { recordedEvent } from '../testing/event-fixtures';
import { decodeCustomerEventMessage, encodeCustomerEventMessage, toCustomerEventMessage } from './customer-event.message';
import { rejection } from '../testing/rejection';

describe('customer event message', () => {
  const event = recordedEvent({ position: 1_234, revision: 7 });
  const customerId = event.streamId.slice('customer-'.length);
  const message = toCustomerEventMessage(event);
  const withValue = (change: (v: Record<string, unknown>) => void) => {
    const value = JSON.parse(message.value) as Record<string, unknown>;
    change(value);
    return { ...message, value: JSON.stringify(value) };
  };
  const withHeader = (name: string, value: string | undefined) => {
    const headers = { ...message.headers };
    if (value === undefined) delete headers[name];
    else headers[name] = value;
    return { ...message, headers };
  };

  it('given a stored event, the transform keys it by customer id and copies it unchanged into the value', () => {
    expect(message.key).toBe(customerId);
    expect(JSON.parse(message.value)).toEqual({
      eventId: event.eventId,
      streamId: event.streamId,
      customerId,
      type: 'PurchaseRecorded',
      revision: 7,
      position: 1_234,
      data: event.data,
      metadata: event.metadata,
    });
  });

  it('given a stored event, the transform sets every header from the event and its metadata', () => {
    expect(message.headers).toEqual({
      'message-kind': 'event',
      'content-type': 'application/json',
      'event-id': event.eventId,
      'event-type': 'PurchaseRecorded',
      'stream-revision': '7',
      'global-position': '1234',
      'correlation-id': event.metadata.correlationId,
      'causation-id': event.metadata.causationId,
      'schema-version': '1',
    });
  });

  it('leaves ciphertext as it is: the relay never decrypts', () => {
    const sealed = recordedEvent({ type: 'CustomerAcquired', data: { name: 'enc:v1:c2VjcmV0', channel: 'web' } });
    expect(JSON.parse(toCustomerEventMessage(sealed).value).data).toEqual({ name: 'enc:v1:c2VjcmV0', channel: 'web' });
  });

  it('round-trips through the decoder, also from Buffers as a consumer receives them', () => {
    const consumed = { key: Buffer.from(message.key), value: Buffer.from(message.value), headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)])) };
    expect(decodeCustomerEventMessage(consumed)).toEqual(JSON.parse(message.value));
  });

  it('does not invent missing metadata: the header is left out and the decoder says what is missing', () => {
    const { correlationId: _dropped, ...metadata } = event.metadata;
    const encoded = toCustomerEventMessage({ ...event, metadata });
    expect(encoded.headers['correlation-id']).toBeUndefined();
    expect(rejection(() => decodeCustomerEventMessage(encoded))).toMatch(/metadata\.correlationId/);
  });

  it('refuses a stream that is not a customer stream', () => {
    expect(() => toCustomerEventMessage(recordedEvent({ streamId: 'order-1' }))).toThrow(/Not a customer stream/);
  });

  it.each([
    ['an empty value', { ...message, value: null }, /value is empty/],
    ['a value that is not JSON', { ...message, value: '{"name":"Zhang San"' }, /^value is not valid JSON$/],
    ['a missing field', withValue((v) => delete v.revision), /revision/],
    ['a negative revision', withValue((v) => (v.revision = -1)), /revision/],
    ['a fractional position', withValue((v) => (v.position = 1.5)), /position/],
    ['data that is not an object', withValue((v) => (v.data = ['x'])), /data/],
    ['metadata without an actor', withValue((v) => delete (v.metadata as Record<string, unknown>).actor), /metadata\.actor/],
    ['an occurredAt that is not a timestamp', withValue((v) => ((v.metadata as Record<string, unknown>).occurredAt = 'yesterday')), /metadata\.occurredAt/],
    ['a stream of another customer', withValue((v) => (v.streamId = 'customer-someone-else')), /not the stream of customer/],
    ['metadata.eventId other than eventId', withValue((v) => ((v.metadata as Record<string, unknown>).eventId = 'other')), /metadata\.eventId other is not eventId/],
    ['a key other than the customer id', { ...message, key: 'someone-else' }, /key someone-else is not the customerId/],
    ['no key', { ...message, key: null }, /key \(none\)/],
    ['no message-kind header', withHeader('message-kind', undefined), /header message-kind is missing/],
    ['a watermark kind', withHeader('message-kind', 'watermark'), /header message-kind is "watermark", expected "event"/],
    ['another content type', withHeader('content-type', 'application/avro'), /header content-type/],
    ['an event-id header that disagrees', withHeader('event-id', 'x'), /header event-id/],
    ['an event-type header that disagrees', withHeader('event-type', 'CustomerChurned'), /header event-type/],
    ['a stream-revision header that disagrees', withHeader('stream-revision', '8'), /header stream-revision is "8", expected "7"/],
    ['a global-position header that disagrees', withHeader('global-position', '1'), /header global-position/],
    ['a correlation-id header that disagrees', withHeader('correlation-id', 'x'), /header correlation-id/],
    ['a causation-id header that is missing', withHeader('causation-id', undefined), /header causation-id is missing/],
    ['a schema-version header that disagrees', withHeader('schema-version', '2'), /header schema-version/],
    ['a repeated header', { ...message, headers: { ...message.headers, 'event-id': [message.headers['event-id'], 'x'] } }, /header event-id appears 2 times/],
  ])('rejects %s', (_case, bad, reason) => {
    expect(rejection(() => decodeCustomerEventMessage(bad))).toMatch(reason);
  });

  it('never quotes payload text in a reason', () => {
    const reason = rejection(() => decodeCustomerEventMessage(withValue((v) => ((v.data as Record<string, unknown>).name = 42, (v.revision = 'Zhang San')))));
    expect(reason).not.toContain('Zhang San');
  });

  it('ignores unknown top-level fields (adding one is compatible within v1)', () => {
    const extended = encodeCustomerEventMessage({ ...(JSON.parse(message.value) as Parameters<typeof encodeCustomerEventMessage>[0]), ...{ tenant: 't-1' } });
    expect(decodeCustomerEventMessage(extended)).not.toHaveProperty('tenant');
  });
});
