import type { FactoryProvider } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ProcessRole } from '@crm/config';
import { EVENT_STORE, type EventStore, SqliteEventStore } from '@crm/event-store';
import { until } from '@crm/testing';
import { EmbeddedDocumentStore, KafkaReadSide, PartitionWatermark } from '@crm/read-models';
import { NoEventLog } from './no-event-log';
import { storageProviders } from './storage.providers';

describe('a process without the event log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'no-event-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function eventStoreFor(roles: ProcessRole[], env: Record<string, string> = {}): Promise<EventStore> {
    const config = loadConfig({ CRM_DATA_DIR: dir, ...env });
    const provider = storageProviders(config, roles).find((p) => (p as FactoryProvider).provide === EVENT_STORE) as FactoryProvider;
    return provider.useFactory();
  }

  it('gets the embedded log only with the API role; a projector of its own gets none', async () => {
    const api = await eventStoreFor(['api', 'relay']);
    expect(api).toBeInstanceOf(SqliteEventStore);
    await api.close();
    const projector = await eventStoreFor(['projector']);
    expect(projector).toBeInstanceOf(NoEventLog);
    await expect(projector.lastPosition()).rejects.toThrow(/This process has no event log: the embedded log lives in the API process/);
  });

  it('fails a rebuild it is asked to run, leaving the live read model as it was (not copying an empty log over it)', async () => {
    const docs = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    try {
      await docs.commit([{ collection: 'profiles', doc: { _id: 'c-1', revision: 3, stage: 'converted' } }]);
      const readSide = new KafkaReadSide(new NoEventLog(), docs, new PartitionWatermark(docs, 'topic', async () => 1), {
        topic: 'topic',
        partitions: async () => 1,
        clock: () => new Date('2026-01-01T00:00:00Z'),
        projector: null,
      });
      const progress = readSide.run(['profiles']);
      await until(() => progress.phase !== 'copying', 'the rebuild to end');
      expect(progress).toMatchObject({ phase: 'failed', error: expect.stringMatching(/no event log/) });
      expect(await docs.find('profiles', {})).toEqual([{ _id: 'c-1', revision: 3, stage: 'converted' }]);
    } finally {
      await docs.close();
    }
  });
});
