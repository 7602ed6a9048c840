import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCommandStore } from './sqlite-command-store';
import { describeCommandStoreContract } from './testing/command-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'command-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every byte on disk (database, WAL and shared-memory files), as a string a value in clear would show in.
const rawDump = async () => readdirSync(dir).map((file) => readFileSync(join(dir, file)).toString('latin1')).join('\n');

describeCommandStoreContract('SqliteCommandStore', async () => new SqliteCommandStore(join(dir, 'commands.db')), undefined, rawDump);
