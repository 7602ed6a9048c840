export const READ_POSITION = Symbol('READ_POSITION');

/** Which global position the read models reflect, and a bounded wait for a later one (read-your-writes). */
export interface ReadPosition {
  current(): Promise<number>;
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
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
export async function positionAtLeast(source: ReadPosition, minPosition: number | undefined, timeoutMs: number): Promise<number> {
  if (minPosition !== undefined && (await source.current()) < minPosition && !(await source.waitFor(minPosition, timeoutMs))) {
    throw new NotYetVisibleError(minPosition, await source.current());
  }
  return source.current();
}
