import type { IHeaders } from 'kafkajs';
import type { z } from 'zod';

export const CONTENT_TYPE_JSON = 'application/json';

export const HEADER = {
  messageKind: 'message-kind',
  contentType: 'content-type',
} as const;

/** A message that does not honour its contract; `reason` names the first broken rule and never quotes payloads. */
export class InvalidMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidMessageError';
  }
}

/** Both what a consumer receives (KafkaMessage) and what an encoder returns fit this shape. */
export interface IncomingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

export type TextHeaders = Record<string, string>;

export function keyOf(message: IncomingMessage): string | null {
  const key = message.key;
  if (key === null || key === undefined) return null;
  const text = key.toString();
  return text === '' ? null : text;
}

export function headerOf(message: IncomingMessage, name: string): string | undefined {
  const raw = message.headers?.[name];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    if (raw.length !== 1) throw new InvalidMessageError(`header ${name} appears ${raw.length} times`);
    return raw[0].toString();
  }
  return raw.toString();
}

export function requireHeader(message: IncomingMessage, name: string, expected: string): void {
  const actual = headerOf(message, name);
  if (actual === undefined) throw new InvalidMessageError(`header ${name} is missing`);
  if (actual !== expected) throw new InvalidMessageError(`header ${name} is "${actual}", expected "${expected}"`);
}

/** For headers a foreign producer may leave out, but must not contradict. */
export function optionalHeader(message: IncomingMessage, name: string, expected: string): void {
  const actual = headerOf(message, name);
  if (actual !== undefined && actual !== expected) throw new InvalidMessageError(`header ${name} is "${actual}", expected "${expected}"`);
}

export function parseJsonValue(message: IncomingMessage): unknown {
  if (message.value === null || message.value.length === 0) throw new InvalidMessageError('value is empty');
  try {
    return JSON.parse(message.value.toString());
  } catch {
    // JSON.parse quotes the offending text, which could be personal data: keep only the fact.
    throw new InvalidMessageError('value is not valid JSON');
  }
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidMessageError(`${what}: ${describeIssues(result.error.issues)}`);
}

// zod's default messages name the expected and received types, never the received value.
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'value'}: ${i.message}`).join('; ');
}
