export const KEY_STORE = Symbol('KEY_STORE');

/** Per-customer data keys, kept outside the event log so that deleting one shreds that customer's personal data. */
export interface KeyStore {
  /**
   * The customer's key, created (durably) on first use. Rejects with KeyShreddedError once destroyed.
   * `likelyNew`: the caller expects no key yet (a customer being acquired), so a store may create
   * before it looks; the answer is the same either way.
   */
  keyFor(customerId: string, options?: { likelyNew?: boolean }): Promise<Buffer>;
  /** The key if it exists; null when it was destroyed or never created. */
  existingKey(customerId: string): Promise<Buffer | null>;
  /** Deletes the key for good; later reads of that customer's personal fields yield "[erased]". */
  destroy(customerId: string): Promise<void>;
  close(): Promise<void>;
}

export class KeyShreddedError extends Error {
  constructor(readonly customerId: string) {
    super(`The data key of customer ${customerId} has been destroyed`);
    this.name = 'KeyShreddedError';
  }
}
