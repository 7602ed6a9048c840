import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERASED } from '@crm/domain';
import { KeyShreddedError } from './key-store.port';
import { PersonalDataCipher } from './personal-data-cipher';
import { SqliteKeyStore } from './sqlite-key-store';

describe('PersonalDataCipher with the SQLite key store', () => {
  let dir: string;
  let keys: SqliteKeyStore;
  let cipher: PersonalDataCipher;
  const customerId = randomUUID();
  const acquired = { customerId, name: 'Li Wei', email: 'li.wei@example.com', channel: 'web', type: 'consumer', tags: [] };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'privacy-'));
    keys = new SqliteKeyStore(join(dir, 'keys.db'));
    cipher = new PersonalDataCipher(keys);
  });

  afterEach(async () => {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals personal fields only and opens them again', async () => {
    const sealed = await cipher.encrypt(customerId, 'CustomerAcquired', acquired);
    expect(sealed.name).toMatch(/^enc:v1:/);
    expect(sealed.email).toMatch(/^enc:v1:/);
    expect(sealed.channel).toBe('web');
    expect(JSON.stringify(sealed)).not.toContain('Li Wei');
    const [opened] = await cipher.decrypt(customerId, [{ type: 'CustomerAcquired', data: sealed }]);
    expect(opened.data).toEqual(acquired);
  });

  it('gives every sealed field its own IV, across many draws of random bytes', async () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const sealed = await cipher.encrypt(customerId, 'CustomerAcquired', { ...acquired, name: `n${i}` });
      for (const field of ['name', 'email']) ivs.add(Buffer.from(String(sealed[field]).slice('enc:v1:'.length), 'base64url').subarray(0, 12).toString('hex'));
    }
    expect(ivs.size).toBe(800);
    const [opened] = await cipher.decrypt(customerId, [{ type: 'CustomerAcquired', data: await cipher.encrypt(customerId, 'CustomerAcquired', acquired) }]);
    expect(opened.data).toEqual(acquired);
  });

  it('tells the key store a new customer most likely has no key yet, and asks for no key without personal fields', async () => {
    const keyFor = jest.spyOn(keys, 'keyFor');
    const other = randomUUID();
    await cipher.encrypt(other, 'CustomerAcquired', { ...acquired, customerId: other }, { newCustomer: true });
    await cipher.encrypt(other, 'CustomerAcquired', { ...acquired, customerId: other });
    await cipher.encrypt(other, 'PurchaseRecorded', { customerId: other, orderId: 'o-1', amountMinor: 100, currency: 'CNY' }, { newCustomer: true });
    expect(keyFor.mock.calls).toEqual([
      [other, { likelyNew: true }],
      [other, { likelyNew: undefined }],
    ]);
  });

  it('leaves events without personal fields untouched', async () => {
    const data = { customerId, orderId: 'o-1', amountMinor: 100, currency: 'CNY' };
    expect(await cipher.encrypt(customerId, 'PurchaseRecorded', data)).toBe(data);
  });

  it('refuses a ciphertext moved to another customer', async () => {
    const other = randomUUID();
    await keys.keyFor(other);
    const sealed = await cipher.encrypt(customerId, 'CustomerAcquired', acquired);
    await expect(cipher.decrypt(other, [{ type: 'CustomerAcquired', data: sealed }])).rejects.toThrow();
  });

  it('reads "[erased]" once the key is destroyed, and never recreates it', async () => {
    const sealed = await cipher.encrypt(customerId, 'CustomerAcquired', acquired);
    await cipher.erase(customerId);
    const [opened] = await cipher.decrypt(customerId, [{ type: 'CustomerAcquired', data: sealed }]);
    expect(opened.data).toMatchObject({ name: ERASED, email: ERASED, channel: 'web' });
    await expect(keys.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
  });

  it('keeps keys across restarts and leaves no copy of a destroyed key in its files', async () => {
    const key = await keys.keyFor(customerId);
    await keys.close();
    keys = new SqliteKeyStore(join(dir, 'keys.db'));
    expect((await keys.existingKey(customerId))?.equals(key)).toBe(true);
    await keys.destroy(customerId);
    for (const file of readdirSync(dir)) {
      expect(readFileSync(join(dir, file)).includes(key)).toBe(false);
    }
  });
});
