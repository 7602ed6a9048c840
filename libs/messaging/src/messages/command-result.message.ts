import { z } from 'zod';
import { CONTENT_TYPE_JSON, HEADER, type IncomingMessage, InvalidMessageError, keyOf, parseJsonValue, parseWith, requireHeader, type TextHeaders } from './message-codec';

export const COMMAND_RESULT_HEADER = { commandId: 'command-id', status: 'command-status' } as const;

const commandId = z.string().min(1);
const position = z.number().int().min(0);

// The SPEC's error body, so a Kafka caller reads the same codes as an HTTP caller.
const errorSchema = z.object({ code: z.string().min(1), message: z.string(), details: z.unknown().optional() });

const valueSchema = z.discriminatedUnion('status', [
  z.object({
    commandId,
    status: z.literal('accepted'),
    customerId: z.string().min(1),
    revision: position,
    position,
    complaintId: z.string().min(1).optional(),
  }),
  // A rejection may say which customer it was about, when the command named one.
  z.object({ commandId, status: z.literal('rejected'), customerId: z.string().min(1).optional(), error: errorSchema }),
]);

export type CommandResultKey = string;
export type CommandResultMessage = z.output<typeof valueSchema>;

export function toCommandResultMessage(result: CommandResultMessage): { key: CommandResultKey; value: string; headers: TextHeaders } {
  return {
    key: result.commandId,
    value: JSON.stringify(result),
    headers: {
      [HEADER.messageKind]: 'command-result',
      [HEADER.contentType]: CONTENT_TYPE_JSON,
      [COMMAND_RESULT_HEADER.commandId]: result.commandId,
      [COMMAND_RESULT_HEADER.status]: result.status,
    },
  };
}

export function decodeCommandResultMessage(message: IncomingMessage): CommandResultMessage {
  requireHeader(message, HEADER.messageKind, 'command-result');
  requireHeader(message, HEADER.contentType, CONTENT_TYPE_JSON);
  const result = parseWith(valueSchema, parseJsonValue(message), 'command result');
  const key = keyOf(message);
  if (key !== result.commandId) throw new InvalidMessageError(`key ${key ?? '(none)'} is not the commandId ${result.commandId}`);
  requireHeader(message, COMMAND_RESULT_HEADER.commandId, result.commandId);
  requireHeader(message, COMMAND_RESULT_HEADER.status, result.status);
  return result;
}
