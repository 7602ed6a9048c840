import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordedEvent, SqliteEventStore } from '@crm/event-store';
import { kafkaNames } from '@crm/messaging';
import { type Document, MongoDocumentStore } from '@crm/read-models';
import { testKafka } from '../../libs/messaging/src/testing/kafka-test-kit';
import type { CrmServer } from './crm-server';
import { WORKLOAD_API_KEYS } from './customer-workload';
import { startPipelineProcess } from './pipeline-processes';
import { mongoUrlFor, withMongo } from './mongo';
import { type ReadModelSnapshot, snapshotOf } from './read-model-consistency';

/**
 * One deployment of the production split for a test: `api,relay` in one process (the embedded
 * SQLite log lives there) and the projector in another, on a Kafka namespace and a MongoDB
 * database nobody else uses. Processes are started, killed and restarted by the test.
 */
export class Pipeline {
  readonly namespace = `pipeline-${randomUUID().slice(0, 8)}`;
  readonly database = `crm_pipeline_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  readonly mongoUrl: string;
  readonly topic: string;
  readonly apiDir: string;
  private readonly projectorDir: string;
  api: CrmServer | null = null;
  projector: CrmServer | null = null;

  constructor(
    private readonly build: string,
    readonly brokers: string,
    mongoBase: string,
    scratch: string,
  ) {
    this.mongoUrl = mongoUrlFor(mongoBase, this.database);
    this.topic = kafkaNames(this.namespace).topics.customerEvents;
    this.apiDir = mkdtempSync(join(scratch, 'api-'));
    // The projector's own folder: it shares nothing with the API but Kafka and MongoDB, as on another host.
    this.projectorDir = mkdtempSync(join(scratch, 'projector-'));
  }

  get eventsFile(): string {
    return join(this.apiDir, 'events.db');
  }

  private env(dir: string, roles: string): Record<string, string> {
    return {
      KAFKA_BROKERS: this.brokers,
      MONGO_URL: this.mongoUrl,
      CRM_KAFKA_NAMESPACE: this.namespace,
      CRM_API_KEYS: WORKLOAD_API_KEYS,
      CRM_DATA_DIR: dir,
      CRM_ROLES: roles,
    };
  }

  async startApi(): Promise<CrmServer> {
    this.api = await startPipelineProcess(this.build, 'api', this.env(this.apiDir, 'api,relay'));
    return this.api;
  }

  async startProjector(): Promise<CrmServer> {
    this.projector = await startPipelineProcess(this.build, 'projector', this.env(this.projectorDir, 'projector'));
    return this.projector;
  }

  /** The log as the API left it; only while the API is down (or for a read-only look while it runs). */
  async readLog(): Promise<RecordedEvent[]> {
    const events = new SqliteEventStore(this.eventsFile);
    try {
      return await events.readAll();
    } finally {
      await events.close();
    }
  }

  async head(): Promise<number> {
    const events = new SqliteEventStore(this.eventsFile);
    try {
      return await events.lastPosition();
    } finally {
      await events.close();
    }
  }

  async relayCheckpoint(): Promise<number | null> {
    return withMongo(this.mongoUrl, async (client) => {
      const found = await client.db().collection<{ _id: string; position: number }>('checkpoints').findOne({ _id: 'relay' });
      return found?.position ?? null;
    });
  }

  async readModels(): Promise<ReadModelSnapshot> {
    const store = await MongoDocumentStore.connect(this.mongoUrl);
    try {
      return await snapshotOf(store);
    } finally {
      await store.close();
    }
  }

  async find(collection: string): Promise<Document[]> {
    return withMongo(this.mongoUrl, (client) => client.db().collection<Document>(collection).find({}).toArray());
  }

  /** Kills what still runs, drops the database and the namespace's topics, deletes the folders. Never throws. */
  async destroy(): Promise<void> {
    await Promise.all([this.api?.kill(), this.projector?.kill()]).catch(() => undefined);
    await withMongo(this.mongoUrl, (client) => client.db().dropDatabase()).catch(() => undefined);
    const admin = testKafka(this.brokers, `pipeline-cleanup-${this.namespace}`).admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${this.namespace}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${this.namespace}.`));
      if (groups.length > 0) await admin.deleteGroups(groups);
    } catch {
      // a dedicated broker may be gone already; a shared one keeps some namespaced leftovers
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    rmSync(this.apiDir, { recursive: true, force: true });
    rmSync(this.projectorDir, { recursive: true, force: true });
  }
}
