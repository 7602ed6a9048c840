import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionOfKey } from '@crm/messaging';
import { EmbeddedDocumentStore } from '../document-store/embedded-document-store';
import { PartitionWatermark, partitionCheckpointName } from './partition-watermark';

const TOPIC = 'crm.customer-events.v1';

/** A customer id whose events the relay puts on `partition` (of 3). */
function customerOn(partition: number): string {
  for (;;) {
    const id = randomUUID();
    if (partitionOfKey(id, 3) === partition) return id;
  }
}

describe('PartitionWatermark', () => {
  let dir: string;
  let store: EmbeddedDocumentStore;
  let watermark: PartitionWatermark;
  const checkpoints = (positions: number[]) =>
    store.commit([], positions.map((position, p) => ({ name: partitionCheckpointName(TOPIC, p), position })));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watermark-'));
    store = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    watermark = new PartitionWatermark(store, TOPIC, async () => 3, 5);
    await checkpoints([900, 300, 500]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reflects the slowest partition for the read models as a whole', async () => {
    expect(await watermark.current()).toBe(300);
    expect(await watermark.waitFor(301, 30)).toBe(false);
  });

  it("reflects a customer's own partition for a read of that customer, never less than the whole", async () => {
    const [ahead, slowest, middle] = [customerOn(0), customerOn(1), customerOn(2)];
    expect(await watermark.current(ahead)).toBe(900);
    expect(await watermark.current(slowest)).toBe(300);
    expect(await watermark.current(middle)).toBe(500);
    expect(await watermark.waitFor(800, 30, ahead)).toBe(true);
    expect(await watermark.waitFor(800, 30, middle)).toBe(false);
  });

  it("waits for the customer's partition only: another partition lagging does not hold the read", async () => {
    const customer = customerOn(2);
    const waiting = watermark.waitFor(700, 2_000, customer);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await checkpoints([900, 300, 750]);
    expect(await waiting).toBe(true);
    expect(await watermark.current()).toBe(300);
  });

  it('is 0 before any partition has a checkpoint, and when the topic has no partitions', async () => {
    expect(await new PartitionWatermark(store, 'other-topic', async () => 3).current(customerOn(0))).toBe(0);
    expect(await new PartitionWatermark(store, TOPIC, async () => 0).current(customerOn(0))).toBe(0);
  });
});
