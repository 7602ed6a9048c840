import { parse, v5 } from 'uuid';

// Parsed once: uuid's v5 would parse a string namespace on every call.
const COMMAND = parse('b7c1f0de-3a57-4b8e-8f55-0e4b1d9a2c61');
const EVENT = parse('6f1c2a52-8d2e-4f0b-9a53-2d3f6c1e7b90');
const CUSTOMER = parse('0d9b6c8e-52a4-4a57-b6a5-1f0c7e3d2b18');
const COMPLAINT = parse('4a0e5d27-9c1b-4f6e-8d3a-7b2c9e0f1a54');

/**
 * Ids derived (uuid v5) rather than drawn at random, so that a retried command names the same
 * command, events, customer and complaint, and can never take effect twice.
 */
export const derivedIds = {
  /** The same Idempotency-Key from the same caller is the same command. */
  command: (principalId: string, idempotencyKey: string) => v5(`${principalId}:${idempotencyKey}`, COMMAND),
  event: (commandId: string, index: number) => v5(`${commandId}:${index}`, EVENT),
  customer: (commandId: string) => v5(commandId, CUSTOMER),
  complaint: (commandId: string) => v5(commandId, COMPLAINT),
};
