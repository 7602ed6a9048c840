import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteKeyStore } from './sqlite-key-store';
import { describeKeyStoreContract } from './testing/key-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'key-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeKeyStoreContract('SqliteKeyStore', async () => new SqliteKeyStore(join(dir, 'keys.db')));
