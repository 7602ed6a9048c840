/**
 * A decider in the emmett sense: pure, no I/O, no clock of its own. `decide` yields bare events;
 * `evolve` folds recorded ones, whose metadata carries the business time they happened at.
 */
export interface Decider<Command, Event, State, Recorded extends Event = Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Recorded): State;
  initialState(): State;
}

export type DomainErrorKind = 'not_found' | 'conflict' | 'unprocessable';

/** A broken business rule. `code` is a stable contract (SPEC: Errors); the HTTP layer maps `kind` to a status. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
