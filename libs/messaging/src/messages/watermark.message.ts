import { z } from 'zod';
import { type CustomerEventValue, decodeCustomerEventMessage } from './customer-event.message';
import { CONTENT_TYPE_JSON, HEADER, headerOf, type IncomingMessage, InvalidMessageError, keyOf, parseJsonValue, parseWith, requireHeader, type TextHeaders } from './message-codec';

const valueSchema = z.strictObject({ kind: z.literal('watermark'), position: z.number().int().min(0) });

/**
 * Written by the relay to one partition: every customer event with a global position <= `position`
 * that belongs to this partition was written to it before this message.
 */
export type WatermarkValue = z.output<typeof valueSchema>;

export interface WatermarkMessage {
  key: null;
  partition: number;
  value: string;
  headers: TextHeaders;
}

export function toWatermarkMessage(partition: number, position: number): WatermarkMessage {
  const value: WatermarkValue = { kind: 'watermark', position };
  return {
    key: null,
    partition,
    value: JSON.stringify(value),
    headers: { [HEADER.messageKind]: 'watermark', [HEADER.contentType]: CONTENT_TYPE_JSON },
  };
}

export function decodeWatermarkMessage(message: IncomingMessage): WatermarkValue {
  requireHeader(message, HEADER.messageKind, 'watermark');
  requireHeader(message, HEADER.contentType, CONTENT_TYPE_JSON);
  if (keyOf(message) !== null) throw new InvalidMessageError('a watermark has no key');
  return parseWith(valueSchema, parseJsonValue(message), 'watermark');
}

export type FeedMessage = { kind: 'event'; event: CustomerEventValue } | { kind: 'watermark'; position: number };

/** What a consumer of the customer-events topic reads: an event or the relay's watermark. */
export function decodeFeedMessage(message: IncomingMessage): FeedMessage {
  const kind = headerOf(message, HEADER.messageKind);
  if (kind === 'event') return { kind: 'event', event: decodeCustomerEventMessage(message) };
  if (kind === 'watermark') return { kind: 'watermark', position: decodeWatermarkMessage(message).position };
  throw new InvalidMessageError(kind === undefined ? `header ${HEADER.messageKind} is missing` : `unknown ${HEADER.messageKind} "${kind}"`);
}
