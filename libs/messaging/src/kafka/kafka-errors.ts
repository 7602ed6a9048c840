/**
 * The first of `types` found as the broker error type (`type`) of a kafkajs error or of its causes:
 * kafkajs wraps what its retrier gives up on, the broker's error as `cause`. At most five levels.
 */
export function brokerErrorType(error: unknown, types: ReadonlySet<string>): string | null {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string' && types.has(e.type)) return e.type;
  }
  return null;
}
