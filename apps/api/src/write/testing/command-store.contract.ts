import { randomUUID } from 'node:crypto';
import type { CommandStore, ContactClaim, StoredReply } from '../command-store.port';

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const email = (): ContactClaim => ({ kind: 'email', value: `c-${randomUUID()}@example.com` });
const phone = (): ContactClaim => ({ kind: 'phone', value: `+86138${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}` });
const reply = (body: unknown = { customerId: randomUUID() }): StoredReply => ({ fingerprint: randomUUID(), status: 201, body });

/**
 * The CommandStore port's contract, run by every adapter (each adapter's spec calls it in one line).
 * `open` returns a store over the suite's storage: calling it again after `close` must reopen the same
 * state (the adapter's spec owns the storage and wipes it afterwards). Every test uses fresh scopes,
 * keys, customers and contact values, so the suite also holds on a server that others write to.
 * `rawDump` returns everything the adapter stored, as the server or the disk holds it: with it the
 * suite checks that contact values are not kept in clear.
 */
export function describeCommandStoreContract(
  name: string,
  open: () => Promise<CommandStore>,
  close: (store: CommandStore) => Promise<void> = (store) => store.close(),
  rawDump?: () => Promise<string>,
): void {
  describe(`CommandStore contract: ${name}`, () => {
    let store: CommandStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => close(store));

    const reopen = async () => {
      await close(store);
      store = await open();
    };

    /** Which customer holds the value now, seen by a claim that gives nothing away when it is held. */
    const holderOf = async (claim: ContactClaim): Promise<string | null> => {
      const probe = `probe-${randomUUID()}`;
      const held = await store.claimContacts(probe, [claim]);
      if (held) return held.holder;
      await store.releaseContacts(probe, [claim]);
      return null;
    };

    describe('idempotent replies', () => {
      it('finds a saved reply by scope and key, body and all', async () => {
        const scope = `key-${randomUUID()}`;
        const saved = reply({ customerId: randomUUID(), nested: { list: [1, 'two', null], flag: true }, text: '李伟 ✓' });
        await store.saveReply(scope, 'k1', saved, HOUR);
        expect(await store.findReply(scope, 'k1')).toEqual(saved);
        expect(await store.findReply(scope, 'k2')).toBeNull();
      });

      it('keeps each scope to itself, also when scope and key contain separators', async () => {
        const scope = `key-${randomUUID()}`;
        await store.saveReply(scope, 'shared-key', reply(), HOUR);
        expect(await store.findReply(`key-${randomUUID()}`, 'shared-key')).toBeNull();
        const a = reply({ which: 'a' });
        const b = reply({ which: 'b' });
        await store.saveReply(`${scope}|x`, 'y', a, HOUR);
        await store.saveReply(scope, 'x|y', b, HOUR);
        await store.saveReply(`${scope}\nx`, 'y', reply({ which: 'c' }), HOUR);
        expect(await store.findReply(`${scope}|x`, 'y')).toEqual(a);
        expect(await store.findReply(scope, 'x|y')).toEqual(b);
      });

      it('keeps error replies with their status', async () => {
        const scope = `key-${randomUUID()}`;
        const refused: StoredReply = { fingerprint: 'f', status: 409, body: { error: { code: 'DUPLICATE_EMAIL', details: {} } } };
        await store.saveReply(scope, 'k', refused, HOUR);
        expect(await store.findReply(scope, 'k')).toEqual(refused);
      });

      it('forgets a reply once its time to live is over, and takes a new one for the key', async () => {
        const scope = `key-${randomUUID()}`;
        await store.saveReply(scope, 'short', reply(), 1);
        await store.saveReply(scope, 'long', reply(), HOUR);
        await sleep(20);
        expect(await store.findReply(scope, 'short')).toBeNull();
        expect(await store.findReply(scope, 'long')).not.toBeNull();
        const again = reply();
        await store.saveReply(scope, 'short', again, HOUR);
        expect(await store.findReply(scope, 'short')).toEqual(again);
      });

      it('keeps replies across a reopen', async () => {
        const scope = `key-${randomUUID()}`;
        const saved = reply();
        await store.saveReply(scope, 'k', saved, HOUR);
        await reopen();
        expect(await store.findReply(scope, 'k')).toEqual(saved);
      });
    });

    describe('contact reservations', () => {
      it('reserves every value of a claim, or none: a held value refuses the whole claim and names its holder', async () => {
        const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
        const taken = email();
        const free = phone();
        const before = Date.now();
        expect(await store.claimContacts(a, [taken])).toBeNull();
        const after = Date.now();
        const held = await store.claimContacts(b, [free, taken]);
        expect(held).toEqual({ claim: taken, holder: a, reservedAt: expect.any(Number) });
        expect(held!.reservedAt).toBeGreaterThanOrEqual(before - 1000);
        expect(held!.reservedAt).toBeLessThanOrEqual(after + 1000);
        expect(await holderOf(free)).toBeNull();
        expect(await store.claimContacts(c, [free])).toBeNull();
      });

      it('lets a customer claim its own values again, alone or with new ones', async () => {
        const a = randomUUID();
        const mine = email();
        const more = phone();
        expect(await store.claimContacts(a, [mine])).toBeNull();
        expect(await store.claimContacts(a, [mine])).toBeNull();
        expect(await store.claimContacts(a, [more, mine, mine])).toBeNull();
        expect(await holderOf(mine)).toBe(a);
        expect(await holderOf(more)).toBe(a);
      });

      it('tells an email from a phone with the same text', async () => {
        const value = `+86${Date.now()}`;
        expect(await store.claimContacts(randomUUID(), [{ kind: 'email', value }])).toBeNull();
        expect(await store.claimContacts(randomUUID(), [{ kind: 'phone', value }])).toBeNull();
      });

      it('takes a reservation over from the holders it is told to, and from no one else', async () => {
        const [stale, live, claimer] = [randomUUID(), randomUUID(), randomUUID()];
        const fromStale = email();
        const fromLive = phone();
        await store.claimContacts(stale, [fromStale]);
        await store.claimContacts(live, [fromLive]);
        const held = await store.claimContacts(claimer, [fromStale, fromLive], new Set([stale]));
        expect(held).toMatchObject({ claim: fromLive, holder: live });
        expect(await holderOf(fromStale)).toBe(stale);
        expect(await store.claimContacts(claimer, [fromStale, fromLive], new Set([stale, live]))).toBeNull();
        expect(await holderOf(fromStale)).toBe(claimer);
        expect(await holderOf(fromLive)).toBe(claimer);
        expect(await store.claimContacts(stale, [fromStale])).toMatchObject({ claim: fromStale, holder: claimer });
      });

      it('releases a value only for its holder', async () => {
        const [holder, other] = [randomUUID(), randomUUID()];
        const value = email();
        await store.claimContacts(holder, [value]);
        await store.releaseContacts(other, [value]);
        expect(await holderOf(value)).toBe(holder);
        await store.releaseContacts(holder, [value]);
        expect(await holderOf(value)).toBeNull();
        await expect(store.releaseContacts(holder, [value])).resolves.toBeUndefined();
      });

      it("releases all of a customer's values, and nobody else's", async () => {
        const [leaving, staying] = [randomUUID(), randomUUID()];
        const [e, p, kept] = [email(), phone(), email()];
        await store.claimContacts(leaving, [e, p]);
        await store.claimContacts(staying, [kept]);
        await store.releaseAllContacts(leaving);
        expect(await holderOf(e)).toBeNull();
        expect(await holderOf(p)).toBeNull();
        expect(await holderOf(kept)).toBe(staying);
      });

      it('keeps reservations across a reopen (the keyed hash does not change)', async () => {
        const holder = randomUUID();
        const value = email();
        await store.claimContacts(holder, [value]);
        await reopen();
        expect(await holderOf(value)).toBe(holder);
      });

      it('lets exactly one of 20 customers claiming one email at once win it', async () => {
        const value = email();
        const customers = Array.from({ length: 20 }, () => randomUUID());
        const results = await Promise.all(customers.map((c) => store.claimContacts(c, [value])));
        const winners = customers.filter((_, i) => results[i] === null);
        expect(winners).toHaveLength(1);
        for (const held of results) if (held) expect(held).toMatchObject({ claim: value, holder: winners[0] });
        expect(await holderOf(value)).toBe(winners[0]);
      });

      it('leaves nothing reserved by the losers of a race for a shared value', async () => {
        const shared = email();
        const customers = Array.from({ length: 10 }, () => ({ id: randomUUID(), own: phone() }));
        const results = await Promise.all(customers.map((c) => store.claimContacts(c.id, [c.own, shared])));
        const winners = customers.filter((_, i) => results[i] === null);
        expect(winners).toHaveLength(1);
        for (const c of customers) expect(await holderOf(c.own)).toBe(c === winners[0] ? c.id : null);
      });

      it('lets one of two customers claiming the same two values in opposite orders win both', async () => {
        for (let round = 0; round < 5; round++) {
          const [e, p] = [email(), phone()];
          const [a, b] = [randomUUID(), randomUUID()];
          const [forA, forB] = await Promise.all([store.claimContacts(a, [e, p]), store.claimContacts(b, [p, e])]);
          expect([forA, forB].filter((held) => held === null)).toHaveLength(1);
          const winner = forA === null ? a : b;
          expect(await holderOf(e)).toBe(winner);
          expect(await holderOf(p)).toBe(winner);
        }
      });
    });

    if (rawDump) {
      describe('at rest', () => {
        it('keeps contact values only as keyed hashes', async () => {
          const marker = `marker-${randomUUID()}`;
          const e: ContactClaim = { kind: 'email', value: `clear-${randomUUID()}@example.com` };
          const p = phone();
          await store.saveReply(`key-${randomUUID()}`, 'k', reply({ marker }), HOUR);
          await store.claimContacts(randomUUID(), [e, p]);
          const dump = await rawDump();
          // The dump does see what was stored: the reply's marker is there in clear.
          expect(dump).toContain(marker);
          expect(dump).not.toContain(e.value);
          expect(dump).not.toContain(e.value.split('@')[0]);
          expect(dump).not.toContain(p.value.slice(1));
        });
      });
    }
  });
}
