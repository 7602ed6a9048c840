import { randomUUID } from 'node:crypto';
import { rejection } from '../testing/rejection';
import { type CommandResultMessage, decodeCommandResultMessage, toCommandResultMessage } from './command-result.message';

const commandId = randomUUID();
const customerId = randomUUID();
const accepted: CommandResultMessage = { commandId, status: 'accepted', customerId, revision: 4, position: 1_001, complaintId: 'cmp-1' };
const rejected: CommandResultMessage = {
  commandId,
  status: 'rejected',
  customerId,
  error: { code: 'REVISION_CONFLICT', message: 'The customer changed', details: { currentRevision: 5 } },
};

describe('command result message', () => {
  it.each([
    ['accepted', accepted],
    ['rejected', rejected],
  ])('%s: keyed by command id, round-trips', (status, result) => {
    const message = toCommandResultMessage(result);
    expect(message.key).toBe(commandId);
    expect(message.headers).toEqual({ 'message-kind': 'command-result', 'content-type': 'application/json', 'command-id': commandId, 'command-status': status });
    expect(decodeCommandResultMessage(message)).toEqual(result);
  });

  it('a rejection of a bad message may name no customer', () => {
    const bare: CommandResultMessage = { commandId: 'cmd-not-a-uuid', status: 'rejected', error: { code: 'INVALID_MESSAGE', message: 'commandId: Invalid UUID' } };
    expect(decodeCommandResultMessage(toCommandResultMessage(bare))).toEqual(bare);
  });

  const message = toCommandResultMessage(accepted);
  const withValue = (value: unknown) => ({ ...message, value: JSON.stringify(value) });
  it.each([
    ['an unknown status', withValue({ ...accepted, status: 'pending' }), /status/],
    ['an acceptance without a revision', withValue({ ...accepted, revision: undefined }), /revision/],
    ['an acceptance without a position', withValue({ ...accepted, position: undefined }), /position/],
    ['a rejection without an error', { ...toCommandResultMessage(rejected), value: JSON.stringify({ ...rejected, error: undefined }) }, /error/],
    ['an error without a code', { ...toCommandResultMessage(rejected), value: JSON.stringify({ ...rejected, error: { message: 'x' } }) }, /error\.code/],
    ['a key other than the command id', { ...message, key: customerId }, /key .* is not the commandId/],
    ['a status header that disagrees', { ...message, headers: { ...message.headers, 'command-status': 'rejected' } }, /header command-status/],
    ['a missing message-kind header', { ...message, headers: { 'content-type': 'application/json' } }, /header message-kind is missing/],
  ])('rejects %s', (_case, bad, reason) => {
    expect(rejection(() => decodeCommandResultMessage(bad))).toMatch(reason);
  });
});
