/** In-process wake-up for subscriptions: fired after this store committed, so followers need not busy-poll. */
export class CommitSignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }

  /** Calls `listener` once at the next notify(); returns a function that cancels it. */
  once(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
