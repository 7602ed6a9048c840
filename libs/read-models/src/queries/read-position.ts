export const READ_POSITION = Symbol('READ_POSITION');

/**
 * Which global position the read models reflect, and a bounded wait for a later one (read-your-writes).
 * With a customer id: the position up to which every event of that customer is in the read models,
 * at least the global one (a feed that keeps each customer in order may know a later one).
 */
export interface ReadPosition {
  current(customerId?: string): Promise<number>;
  waitFor(position: number, timeoutMs: number, customerId?: string): Promise<boolean>;
}

export class NotYetVisibleError extends Error {
  constructor(
    readonly required: number,
    readonly current: number,
  ) {
    super(`The read models reflect position ${current}, not yet ${required}`);
    this.name = 'NotYetVisibleError';
  }
}

/** The position a reply may claim: at least `minPosition`, after waiting up to `timeoutMs` for it. */
export async function positionAtLeast(source: ReadPosition, minPosition: number | undefined, timeoutMs: number, customerId?: string): Promise<number> {
  if (minPosition !== undefined && (await source.current(customerId)) < minPosition && !(await source.waitFor(minPosition, timeoutMs, customerId))) {
    throw new NotYetVisibleError(minPosition, await source.current(customerId));
  }
  return source.current(customerId);
}
