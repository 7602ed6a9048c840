import { EventEmitter } from 'node:events';

/** The position read models have reached, with waits for a later one (read-your-writes) and listeners. */
export class PositionWatch {
  private readonly advanced = new EventEmitter();
  private current = 0;

  constructor() {
    this.advanced.setMaxListeners(0);
  }

  get position(): number {
    return this.current;
  }

  /** Sets the position; waiters and listeners hear of it when it moved forward. */
  set(position: number): void {
    const forward = position > this.current;
    this.current = position;
    if (forward) this.advanced.emit('position', position);
  }

  /** Moves the position forward to `position`; an older one (a report overtaken by a later one) changes nothing. */
  advance(position: number): void {
    if (position > this.current) this.set(position);
  }

  /** Calls `listener` with each position reached; returns a function that stops the calls. */
  onAdvance(listener: (position: number) => void): () => void {
    this.advanced.on('position', listener);
    return () => this.advanced.off('position', listener);
  }

  /** Resolves true once `position` is reached, false after the timeout. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.current >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const stop = this.onAdvance((at) => {
        if (at < position) return;
        clearTimeout(timer);
        stop();
        resolve(true);
      });
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, timeoutMs);
    });
  }
}
