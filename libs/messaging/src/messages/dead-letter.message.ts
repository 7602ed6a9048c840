import type { IHeaders } from 'kafkajs';
import { z } from 'zod';
import { CONTENT_TYPE_JSON, HEADER, type IncomingMessage, InvalidMessageError, keyOf, parseJsonValue, parseWith, requireHeader, type TextHeaders } from './message-codec';

const valueSchema = z.object({
  reason: z.string().min(1),
  topic: z.string().min(1),
  partition: z.number().int().min(0),
  // Kafka offsets are 64-bit: kept as the decimal string kafkajs gives.
  offset: z.string().regex(/^\d+$/),
  key: z.string().nullable(),
  value: z.string().nullable(),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  parkedCustomerId: z.string().min(1).optional(),
  failedAt: z.iso.datetime({ offset: true }),
});

export type DeadLetterValue = z.output<typeof valueSchema>;
export type DeadLetterKey = string | null;

export interface DeadLetterInput {
  reason: string;
  topic: string;
  partition: number;
  message: IncomingMessage & { offset: string };
  /** The customer whose later events are held back because of this one. */
  parkedCustomerId?: string;
  failedAt: string;
}

export function toDeadLetterMessage({ reason, topic, partition, message, parkedCustomerId, failedAt }: DeadLetterInput) {
  return encodeDeadLetterMessage({
    reason,
    topic,
    partition,
    offset: message.offset,
    key: keyOf(message),
    // Copied as it was (personal fields are still ciphertext), so erasing the key covers this copy too.
    value: message.value === null ? null : message.value.toString(),
    headers: textHeaders(message.headers),
    ...(parkedCustomerId !== undefined && { parkedCustomerId }),
    failedAt,
  });
}

// Keyed like the original (the customer), so one customer's dead letters stay in order.
export function encodeDeadLetterMessage(value: DeadLetterValue): { key: DeadLetterKey; value: string; headers: TextHeaders } {
  return {
    key: value.parkedCustomerId ?? value.key,
    value: JSON.stringify(value),
    headers: { [HEADER.messageKind]: 'dead-letter', [HEADER.contentType]: CONTENT_TYPE_JSON },
  };
}

export function decodeDeadLetterMessage(message: IncomingMessage): DeadLetterValue {
  requireHeader(message, HEADER.messageKind, 'dead-letter');
  requireHeader(message, HEADER.contentType, CONTENT_TYPE_JSON);
  const value = parseWith(valueSchema, parseJsonValue(message), 'dead letter');
  const expectedKey = value.parkedCustomerId ?? value.key;
  const key = keyOf(message);
  if (key !== expectedKey) throw new InvalidMessageError(`key ${key ?? '(none)'} is not ${expectedKey ?? '(none)'}`);
  return value;
}

function textHeaders(headers: IHeaders = {}): Record<string, string | string[]> {
  const text: Record<string, string | string[]> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    text[name] = Array.isArray(raw) ? raw.map((v) => v.toString()) : raw.toString();
  }
  return text;
}
