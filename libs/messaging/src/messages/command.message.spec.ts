import { randomUUID } from 'node:crypto';
import { type CommandMessageInput, decodeCommandMessage, toCommandMessage } from './command.message';

const customerId = randomUUID();
const commandId = randomUUID();
const purchase: CommandMessageInput = {
  commandId,
  type: 'RecordPurchase',
  customerId,
  data: { orderId: 'o-9', amountMinor: 500, currency: 'CNY' },
  actor: { id: 'svc-shop', role: 'service' },
  expectedRevision: 3,
  correlationId: 'corr-1',
};

/** A raw message as another service might produce it. */
function raw(value: unknown, key: string | null = customerId, headers?: Record<string, string>) {
  return { key, value: typeof value === 'string' ? value : JSON.stringify(value), headers };
}

function failure(message: ReturnType<typeof raw>) {
  const decoded = decodeCommandMessage(message);
  if (decoded.ok) throw new Error('expected a rejection');
  return decoded;
}

describe('command message', () => {
  it('is keyed by customer id and round-trips', () => {
    const message = toCommandMessage(purchase);
    expect(message.key).toBe(customerId);
    expect(message.headers).toEqual({ 'message-kind': 'command', 'content-type': 'application/json', 'command-id': commandId, 'command-type': 'RecordPurchase' });
    expect(decodeCommandMessage(message)).toEqual({ ok: true, command: purchase });
  });

  it('an AcquireCustomer without a customer id is keyed by its command id, and data defaults to {}', () => {
    const acquire: CommandMessageInput = { commandId, type: 'AcquireCustomer', actor: { id: 'svc-web', role: 'service' } };
    const message = toCommandMessage(acquire);
    expect(message.key).toBe(commandId);
    expect(decodeCommandMessage(message)).toEqual({ ok: true, command: { ...acquire, data: {} } });
  });

  it('accepts a message from a producer that sets no headers', () => {
    expect(decodeCommandMessage(raw(purchase)).ok).toBe(true);
  });

  it('accepts expectedRevision -1 (the stream must not exist)', () => {
    expect(decodeCommandMessage(raw({ ...purchase, expectedRevision: -1 })).ok).toBe(true);
  });

  it('does not check data: the API validates it per command type', () => {
    expect(decodeCommandMessage(raw({ ...purchase, data: { amountMinor: 'lots' } })).ok).toBe(true);
  });

  it.each([
    ['a commandId that is not a uuid', { ...purchase, commandId: 'cmd-1' }, /commandId: Invalid UUID/],
    ['an unknown command type', { ...purchase, type: 'DeleteCustomer' }, /type: Invalid option/],
    ['a customerId that is not a uuid', { ...purchase, customerId: 'c-1' }, /customerId: Invalid UUID/],
    ['a command other than AcquireCustomer without customerId', { ...purchase, customerId: undefined }, /customerId: required for every command but AcquireCustomer/],
    ['data that is not an object', { ...purchase, data: [1, 2] }, /data:/],
    ['no actor', { ...purchase, actor: undefined }, /actor:/],
    ['an actor role outside the SPEC', { ...purchase, actor: { id: 'x', role: 'root' } }, /actor\.role: Invalid option/],
    ['an actor without an id', { ...purchase, actor: { id: '', role: 'service' } }, /actor\.id/],
    ['expectedRevision below -1', { ...purchase, expectedRevision: -2 }, /expectedRevision/],
    ['a fractional expectedRevision', { ...purchase, expectedRevision: 1.5 }, /expectedRevision/],
    ['a misspelt envelope field', { ...purchase, expectedRevison: 3 }, /Unrecognized key: "expectedRevison"/],
  ])('rejects %s, still returning the command id', (_case, value, reason) => {
    const decoded = failure(raw(value));
    expect(decoded.reason).toMatch(reason);
    expect(decoded.error.reason).toBe(decoded.reason);
    expect(decoded.commandId).toBe((value as { commandId: string }).commandId);
  });

  it('returns the customer id it could read, so the rejection can name the customer', () => {
    const decoded = failure(raw({ ...purchase, type: 'Nope' }));
    expect(decoded.customerId).toBe(customerId);
    expect(failure(raw({ ...purchase, type: 'Nope', customerId: 'not-a-uuid' }, 'not-a-uuid')).customerId).toBeUndefined();
  });

  it('rejects a key other than the customer id (it would break per-customer order)', () => {
    expect(failure(raw(purchase, 'other')).reason).toBe(`key other is not the customerId ${customerId}`);
    expect(failure(raw(purchase, null)).reason).toMatch(/key \(none\)/);
    expect(failure(raw({ ...purchase, type: 'AcquireCustomer', customerId: undefined }, customerId)).reason).toBe(`key ${customerId} is not the commandId ${commandId}`);
  });

  it('rejects headers that contradict the value', () => {
    expect(failure(raw(purchase, customerId, { 'message-kind': 'event' })).reason).toMatch(/header message-kind/);
    expect(failure(raw(purchase, customerId, { 'command-type': 'ChurnCustomer' })).reason).toMatch(/header command-type/);
    expect(failure(raw(purchase, customerId, { 'command-id': randomUUID() })).reason).toMatch(/header command-id/);
  });

  it('without a readable command id, says so and returns no id', () => {
    const notJson = failure(raw('{"commandId":'));
    expect(notJson).toMatchObject({ ok: false, reason: 'value is not valid JSON' });
    expect(notJson.commandId).toBeUndefined();
    expect(failure(raw({ ...purchase, commandId: 42 })).commandId).toBeUndefined();
    expect(failure({ key: null, value: null } as never).reason).toBe('value is empty');
  });

  it('does not echo a command id that is long or not plain text', () => {
    expect(failure(raw({ ...purchase, commandId: 'x'.repeat(500) })).commandId).toBeUndefined();
    expect(failure(raw({ ...purchase, commandId: 'a b\n<script>' })).commandId).toBeUndefined();
  });
});
