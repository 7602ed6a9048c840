import { CheckpointPastLogEndError } from '@crm/event-store';
import { RebuildConflictError } from '@crm/read-models';

/** What the read-side thread is given when it starts. */
export interface ReadSideThreadData {
  eventsFile: string;
  documentsFile: string;
  /** Every event up to here is durable when the thread starts. */
  durable: number;
  /** The writer's clock, in epoch milliseconds. */
  now: number;
  /** The writer runs on the system clock: so does the thread. Else the thread follows the `now` it is sent (a test clock). */
  systemClock: boolean;
  maxBatchSize: number;
}

export type CallTarget = 'documents' | 'readSide' | 'projector' | 'thread';

export type ToThread =
  /** `now`: the writer's clock when it called (the thread's clock follows the writer's, e.g. a test clock). */
  | { kind: 'call'; id: number; target: CallTarget; method: string; args: unknown[]; now: number }
  /** Events up to `position` are durable; `now` is the writer's clock then (the thread's clock follows it). */
  | { kind: 'durable'; position: number; now: number };

export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

export type FromThread =
  | { kind: 'reply'; id: number; value?: unknown; error?: RemoteError }
  /** The thread could not set up (e.g. the documents file is locked by another process) and ends. */
  | { kind: 'failed'; error: RemoteError }
  /** The read models now reflect the log up to `position`. */
  | { kind: 'position'; position: number };

/** Errors the writer's side tells apart by class; any other error comes back as a plain Error with its name. */
const KNOWN_ERRORS: Record<string, { prototype: Error }> = { RebuildConflictError, CheckpointPastLogEndError };

export function toRemoteError(error: unknown): RemoteError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields = Object.fromEntries(Object.entries(error).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v)));
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

export function fromRemoteError(remote: RemoteError): Error {
  const known = KNOWN_ERRORS[remote.name];
  const error: Error = known ? Object.create(known.prototype) : new Error(remote.message);
  return Object.assign(error, remote.fields, { name: remote.name, message: remote.message, stack: remote.stack });
}
