import { randomUUID } from 'node:crypto';
import { type KeyStore, KeyShreddedError } from '../key-store.port';

/**
 * The KeyStore port's contract, run by every adapter (each adapter's spec calls it in one line).
 * `open` returns a store over the suite's storage: calling it again after `close` must reopen the
 * same keys (the adapter's spec owns the storage and wipes it afterwards). Every test uses fresh
 * customer ids, so the suite also holds on a server that others write to.
 */
export function describeKeyStoreContract(
  name: string,
  open: () => Promise<KeyStore>,
  close: (store: KeyStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`KeyStore contract: ${name}`, () => {
    let store: KeyStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => close(store));

    const reopen = async () => {
      await close(store);
      store = await open();
    };

    it('creates a 32-byte key once and returns the same one on every call and after a reopen', async () => {
      const customerId = randomUUID();
      const key = await store.keyFor(customerId);
      expect(key).toHaveLength(32);
      expect((await store.keyFor(customerId)).equals(key)).toBe(true);
      expect((await store.existingKey(customerId))?.equals(key)).toBe(true);
      await reopen();
      expect((await store.existingKey(customerId))?.equals(key)).toBe(true);
      expect((await store.keyFor(customerId)).equals(key)).toBe(true);
    });

    it('gives different customers different keys', async () => {
      const [a, b] = await Promise.all([store.keyFor(randomUUID()), store.keyFor(randomUUID())]);
      expect(a.equals(b)).toBe(false);
    });

    it('resolves 20 concurrent first uses to one key, the one it keeps', async () => {
      const customerId = randomUUID();
      const keys = await Promise.all(Array.from({ length: 20 }, () => store.keyFor(customerId)));
      expect(keys[0]).toHaveLength(32);
      for (const key of keys) expect(key.equals(keys[0])).toBe(true);
      await reopen();
      expect((await store.existingKey(customerId))?.equals(keys[0])).toBe(true);
    });

    it('takes likelyNew as a hint only: concurrent first uses, with and without it, get one key; a destroyed one stays destroyed', async () => {
      const customerId = randomUUID();
      const keys = await Promise.all(Array.from({ length: 10 }, (_, i) => store.keyFor(customerId, { likelyNew: i % 2 === 0 })));
      for (const key of keys) expect(key.equals(keys[0])).toBe(true);
      expect((await store.keyFor(customerId, { likelyNew: true })).equals(keys[0])).toBe(true);
      await store.destroy(customerId);
      await expect(store.keyFor(customerId, { likelyNew: true })).rejects.toBeInstanceOf(KeyShreddedError);
      const never = randomUUID();
      await store.destroy(never);
      await expect(store.keyFor(never, { likelyNew: true })).rejects.toBeInstanceOf(KeyShreddedError);
    });

    it('has no key for an unknown customer, and does not create one by looking', async () => {
      const customerId = randomUUID();
      expect(await store.existingKey(customerId)).toBeNull();
      expect(await store.existingKey(customerId)).toBeNull();
    });

    it('destroys a key for good: gone, never recreated, also after a reopen', async () => {
      const customerId = randomUUID();
      await store.keyFor(customerId);
      await store.destroy(customerId);
      expect(await store.existingKey(customerId)).toBeNull();
      await expect(store.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
      await reopen();
      expect(await store.existingKey(customerId)).toBeNull();
      await expect(store.keyFor(customerId)).rejects.toThrow(KeyShreddedError);
      await expect(store.keyFor(customerId)).rejects.toMatchObject({ customerId });
    });

    it('refuses to create a key for a customer destroyed before it ever had one', async () => {
      const customerId = randomUUID();
      await store.destroy(customerId);
      await expect(store.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
      expect(await store.existingKey(customerId)).toBeNull();
    });

    it('destroys idempotently', async () => {
      const customerId = randomUUID();
      await store.keyFor(customerId);
      await store.destroy(customerId);
      await expect(store.destroy(customerId)).resolves.toBeUndefined();
      await expect(store.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
    });

    it('leaves no usable key when a destroy races first uses of the key', async () => {
      // One customer at a time, the destroy starting 0..11 event-loop turns, then 1..30 ms, after the
      // first use: it lands at every step of a creation, whether the store answers in microseconds or
      // in milliseconds.
      const customers = Array.from({ length: 42 }, () => randomUUID());
      const pause = async (step: number) => {
        if (step >= 12) return new Promise((resolve) => setTimeout(resolve, step - 11));
        for (let turn = 0; turn < step; turn++) await new Promise((resolve) => setImmediate(resolve));
      };
      for (const [step, customerId] of customers.entries()) {
        const first = store.keyFor(customerId);
        const later = store.existingKey(customerId);
        first.catch(() => undefined);
        await pause(step);
        await Promise.allSettled([first, later, store.destroy(customerId), store.keyFor(customerId), store.existingKey(customerId)]);
      }
      for (const customerId of customers) {
        expect(await store.existingKey(customerId)).toBeNull();
        await expect(store.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
      }
      await reopen();
      for (const customerId of customers) expect(await store.existingKey(customerId)).toBeNull();
    });
  });
}
