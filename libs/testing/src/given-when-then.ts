import { CURRENT_SCHEMA_VERSION, type Decider, DomainError, type DomainErrorKind, type EventMetadata } from '@crm/domain';

/** Business time of a `recorded` event unless the spec says otherwise. */
export const GIVEN_AT = '2024-01-01T00:00:00.000Z';

/**
 * Wraps a bare event as if the store had recorded it. Ids are fixed, not random, so that a spec is
 * deterministic; deciders must not depend on them. `recordedAt` follows `occurredAt` unless given.
 */
export function recorded<E extends { type: string }>(event: E, metadata: Partial<EventMetadata> = {}): E & { metadata: EventMetadata } {
  const occurredAt = metadata.occurredAt ?? GIVEN_AT;
  return {
    ...event,
    metadata: {
      eventId: '00000000-0000-4000-8000-000000000001',
      commandId: '00000000-0000-4000-8000-000000000002',
      correlationId: '00000000-0000-4000-8000-000000000002',
      causationId: '00000000-0000-4000-8000-000000000002',
      actor: { id: 'spec', role: 'service' },
      recordedAt: occurredAt,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      ...metadata,
      occurredAt,
    },
  };
}

export interface ExpectedRejection {
  kind?: DomainErrorKind;
  /** Matched with `toMatchObject`: list only the details that matter. */
  details?: Record<string, unknown>;
}

/**
 * What `decide` did, shaped so that jest's diff reads as the story: events on one side, the
 * rejection on the other. Errors other than `DomainError` are bugs and are rethrown as they are.
 */
type Outcome<Event> = { events: Event[] } | { rejected: { code: string; kind?: DomainErrorKind; message?: string; details?: unknown } };

function outcomeOf<Event>(run: () => Event[], keep: { kind: boolean; message: boolean; details: boolean }): Outcome<Event> {
  try {
    return { events: run() };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      rejected: {
        code: error.code,
        ...(keep.kind && { kind: error.kind }),
        ...(keep.message && { message: error.message }),
        ...(keep.details && { details: error.details }),
      },
    };
  }
}

export interface WhenClause<Event> {
  /** Exactly these events, in order (`toStrictEqual`: an extra `undefined` field is a difference). */
  then(expected: Event[]): void;
  /** Accepted, and nothing to record: an idempotent no-op. */
  thenNothing(): void;
  thenRejects(code: string, expected?: DomainErrorKind | ExpectedRejection): void;
}

export interface GivenClause<Command, Event, State> {
  when(command: Command): WhenClause<Event>;
  /** The state folded from the given events, matched with `toMatchObject`. */
  thenState(expected: Partial<State>): void;
  state(): State;
}

export function foldEvents<Command, Event, State, Recorded extends Event>(
  decider: Decider<Command, Event, State, Recorded>,
  events: readonly Recorded[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}

/**
 * Given/when/then for any decider (the emmett `DeciderSpecification` idea):
 * `spec(decider).given([recorded(e1)]).when(command).then([e2])`.
 */
export function spec<Command, Event, State, Recorded extends Event>(decider: Decider<Command, Event, State, Recorded>) {
  return {
    given(events: readonly Recorded[]): GivenClause<Command, Event, State> {
      const state = () => foldEvents(decider, events);
      return {
        state,
        thenState(expected) {
          expect(state()).toMatchObject(expected);
        },
        when(command) {
          const run = () => decider.decide(command, state());
          return {
            then(expected) {
              // `then` makes this object a thenable: awaiting or returning it from a test calls
              // then(resolve, reject), which would otherwise fail with a baffling diff.
              if (typeof expected === 'function') throw new Error('when(...) is not a promise: call .then([...events]) on it, do not await it');
              expect(outcomeOf(run, { kind: true, message: true, details: true })).toStrictEqual({ events: expected });
            },
            thenNothing() {
              expect(outcomeOf(run, { kind: true, message: true, details: true })).toStrictEqual({ events: [] });
            },
            thenRejects(code, expected) {
              const { kind, details } = typeof expected === 'string' ? { kind: expected, details: undefined } : (expected ?? {});
              const keep = { kind: kind !== undefined, message: false, details: details !== undefined };
              expect(outcomeOf(run, keep)).toMatchObject({
                rejected: { code, ...(kind !== undefined && { kind }), ...(details !== undefined && { details }) },
              });
            },
          };
        },
      };
    },
  };
}
