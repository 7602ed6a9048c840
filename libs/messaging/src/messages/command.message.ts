import type { CustomerCommandType, Role } from '@crm/domain';
import { z } from 'zod';
import { CONTENT_TYPE_JSON, HEADER, type IncomingMessage, InvalidMessageError, keyOf, optionalHeader, parseJsonValue, parseWith, type TextHeaders } from './message-codec';

export const COMMAND_TYPES = [
  'AcquireCustomer',
  'RecordContact',
  'RecordPurchase',
  'FileComplaint',
  'ResolveComplaint',
  'GiveFeedback',
  'UpdateProfile',
  'AssignOwner',
  'ChurnCustomer',
  'ReactivateCustomer',
  'ErasePersonalData',
] as const satisfies readonly CustomerCommandType[];

export const ACTOR_ROLES = ['service', 'auditor', 'analyst', 'admin'] as const satisfies readonly Role[];

// Fails to compile when the domain gains a command type or role that these lists do not name.
type Missing = Exclude<CustomerCommandType, (typeof COMMAND_TYPES)[number]> | Exclude<Role, (typeof ACTOR_ROLES)[number]>;
const everyNameListed: [Missing] extends [never] ? true : Missing = true;
void everyNameListed;

export const COMMAND_HEADER = { commandId: 'command-id', commandType: 'command-type' } as const;

// Strict: a misspelt envelope field (say `expectedRevison`) must not silently drop a concurrency check.
// `data` is checked by the API's request DTOs, which know each command.
const valueSchema = z
  .strictObject({
    commandId: z.uuid(),
    type: z.enum(COMMAND_TYPES),
    customerId: z.uuid().optional(),
    data: z.record(z.string(), z.unknown()).default({}),
    actor: z.strictObject({ id: z.string().min(1), role: z.enum(ACTOR_ROLES) }),
    expectedRevision: z.number().int().min(-1).optional(),
    correlationId: z.string().min(1).optional(),
    causationId: z.string().min(1).optional(),
  })
  .refine((c) => c.customerId !== undefined || c.type === 'AcquireCustomer', {
    path: ['customerId'],
    message: 'required for every command but AcquireCustomer',
  });

export type CommandType = (typeof COMMAND_TYPES)[number];
export type CommandMessage = z.output<typeof valueSchema>;
/** What a producer writes: `data` may be left out. */
export type CommandMessageInput = z.input<typeof valueSchema>;
/** Customer id, or the command id for an AcquireCustomer that lets the server pick the customer id. */
export type CommandKey = string;

export type CommandDecoding =
  | { ok: true; command: CommandMessage }
  // commandId and customerId are what could be read, so the rejection can still be answered.
  | { ok: false; error: InvalidMessageError; reason: string; commandId?: string; customerId?: string };

export function toCommandMessage(command: CommandMessageInput): { key: CommandKey; value: string; headers: TextHeaders } {
  return {
    key: command.customerId ?? command.commandId,
    value: JSON.stringify(command),
    headers: {
      [HEADER.messageKind]: 'command',
      [HEADER.contentType]: CONTENT_TYPE_JSON,
      [COMMAND_HEADER.commandId]: command.commandId,
      [COMMAND_HEADER.commandType]: command.type,
    },
  };
}

/** Never throws: other services produce commands, so a bad one is answered rather than fatal. */
export function decodeCommandMessage(message: IncomingMessage): CommandDecoding {
  let raw: unknown;
  try {
    raw = parseJsonValue(message);
    const command = parseWith(valueSchema, raw, 'command');
    // Headers are optional for foreign producers, but must agree when present.
    optionalHeader(message, HEADER.messageKind, 'command');
    optionalHeader(message, HEADER.contentType, CONTENT_TYPE_JSON);
    optionalHeader(message, COMMAND_HEADER.commandId, command.commandId);
    optionalHeader(message, COMMAND_HEADER.commandType, command.type);
    const key = keyOf(message);
    const expected = command.customerId ?? command.commandId;
    if (key !== expected) throw new InvalidMessageError(`key ${key ?? '(none)'} is not ${command.customerId ? 'the customerId' : 'the commandId'} ${expected}`);
    return { ok: true, command };
  } catch (error) {
    const invalid = error instanceof InvalidMessageError ? error : new InvalidMessageError(String(error));
    return { ok: false, error: invalid, reason: invalid.reason, ...readableIds(raw) };
  }
}

const ECHOABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// A commandId that is not a uuid is still echoed (the sender correlates by it), if it is short and plain.
function readableIds(raw: unknown): { commandId?: string; customerId?: string } {
  if (typeof raw !== 'object' || raw === null) return {};
  const { commandId, customerId } = raw as Record<string, unknown>;
  return {
    ...(typeof commandId === 'string' && ECHOABLE_ID.test(commandId) && { commandId }),
    ...(typeof customerId === 'string' && z.uuid().safeParse(customerId).success && { customerId }),
  };
}
