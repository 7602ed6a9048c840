export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * `number`: the stream's last revision must be exactly this (0-based);
 * `no_stream`: the stream must not exist; `stream_exists`: it must; `any`: no check.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export type JsonObject = { [key: string]: unknown };

export interface EventToAppend {
  /** uuid; appending an event id the stream already holds is a no-op that returns the original result. */
  eventId: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface RecordedEvent {
  eventId: string;
  streamId: string;
  type: string;
  /** 0-based, contiguous within the stream. */
  revision: number;
  /** Position in the global log: strictly increasing across all streams, gaps allowed. */
  position: number;
  data: JsonObject;
  metadata: JsonObject;
}

export interface AppendResult {
  /** Revision of the last event written (the stream's new last revision). */
  revision: number;
  /** Global position of the last event written. */
  position: number;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive. Defaults to the start of the log. */
  fromPosition?: number;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: events after this position are delivered. Omit to start from the beginning. */
  afterPosition?: number;
  /** Largest batch handed to the handler at once. */
  maxBatchSize?: number;
}

/**
 * Called with events in global order. The next batch waits until the returned promise settles;
 * a rejection stops the subscription and is reported through `Subscription.done`.
 */
export type BatchHandler = (events: RecordedEvent[]) => Promise<void>;

export interface Subscription {
  /** Stops delivery; resolves once the handler in progress (if any) has finished. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves after stop(), rejects with the handler's or store's error. */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order; empty when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of the customer category in global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch up from the checkpoint, then follow the log live, until stopped. */
  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription;
  /** Position of the newest event in the global log, 0 when it is empty. */
  lastPosition(): Promise<number>;
  /**
   * A random id given to this log when it was created, the same for every client and after
   * restarts. Positions mean something only within one log: stores outside it that keep positions
   * (checkpoints) record this id, so they are never applied to another log.
   */
  logId(): Promise<string>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's last revision, or -1 when it does not exist. */
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The same event id was found, but not as a retry of the same append (other stream or other batch). */
export class DuplicateEventIdError extends Error {
  constructor(readonly streamId: string, readonly eventId: string) {
    super(`Event ${eventId} is already stored, not as part of this append to ${streamId}`);
    this.name = 'DuplicateEventIdError';
  }
}
