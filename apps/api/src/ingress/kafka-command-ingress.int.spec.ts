import { randomUUID } from 'node:crypto';
import {
  type CommandMessageInput,
  type CommandResultMessage,
  createIdempotentProducer,
  type IdempotentProducer,
  decodeCommandResultMessage,
  kafkaNames,
  toCommandMessage,
} from '@crm/messaging';
import type { Admin, Consumer, Kafka, Message } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { describeWithMongo, until } from '@crm/testing';
import { describeWithKafka, testKafka } from '../../../../libs/messaging/src/testing/kafka-test-kit';
import { type AuditedEvent, historyOf, logHead } from '../../../../test/support/api-client';
import { startTestApi, type TestApi } from '../../../../test/support/api-harness';
import { newCustomer } from '../../../../test/support/customers';

const DEADLINE_MS = 30_000;

const SERVICE = { id: 'svc-orders', role: 'service' } as const;

/** A customer's acquisition body without the id (the envelope names the customer). */
function acquisitionData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { customerId: _ignored, ...data } = newCustomer(overrides);
  return data;
}

describeWithMongo('KafkaCommandIngress', (serverUrl) => {
  describeWithKafka('Kafka command ingress of the API, on a real broker and MongoDB server', (brokers) => {
    jest.setTimeout(90_000);
    const id = randomUUID().replace(/-/g, '').slice(0, 12);
    const namespace = `ingress-${id}`;
    const database = `crm_ingress_${id}`;
    const { topics, group } = kafkaNames(namespace);
    let api: TestApi;
    let mongoUrl: string;
    let kafka: Kafka;
    let admin: Admin;
    let producer: IdempotentProducer;
    let results: Consumer;
    const received = new Map<string, CommandResultMessage[]>();
    const undecodable: string[] = [];

    beforeAll(async () => {
      const url = new URL(serverUrl);
      url.pathname = `/${database}`;
      mongoUrl = url.toString();
      // A topic namespace and database of this run only: the app creates its topics and groups under it.
      api = await startTestApi({ env: { KAFKA_BROKERS: brokers, MONGO_URL: mongoUrl, CRM_KAFKA_NAMESPACE: namespace } });
      kafka = testKafka(brokers, 'command-ingress-int');
      admin = kafka.admin();
      await admin.connect();
      producer = createIdempotentProducer(kafka);
      await producer.connect();
      results = kafka.consumer({ groupId: `test-results-${id}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
      await results.connect();
      await results.subscribe({ topic: topics.commandResults, fromBeginning: true });
      await results.run({
        eachMessage: async ({ message }) => {
          try {
            const result = decodeCommandResultMessage(message);
            received.set(result.commandId, [...(received.get(result.commandId) ?? []), result]);
          } catch (error) {
            undecodable.push(String(error));
          }
        },
      });
    });

    afterAll(async () => {
      await results?.disconnect();
      await producer?.disconnect();
      await api?.destroy();
      if (mongoUrl) {
        const client = await MongoClient.connect(mongoUrl);
        await client.db().dropDatabase();
        await client.close();
      }
      const names = Object.values(topics);
      await admin?.deleteTopics({ topics: names }).catch(() => undefined);
      await admin?.deleteGroups([`test-results-${id}`, group('crm-command-ingress'), group('crm-projector')]).catch(() => undefined);
      await admin?.disconnect();
    });

    afterEach(() => {
      // Every result on the topic honours the contract.
      expect(undecodable).toEqual([]);
    });

    async function send(...messages: Message[]): Promise<void> {
      await producer.send({ topic: topics.commands, acks: -1, messages });
    }

    function command(input: Omit<CommandMessageInput, 'commandId' | 'actor'> & Partial<CommandMessageInput>): CommandMessageInput {
      return { commandId: randomUUID(), actor: SERVICE, ...input };
    }

    /** Publishes the command and waits for its (first) result. */
    async function execute(input: CommandMessageInput): Promise<CommandResultMessage> {
      await send(toCommandMessage(input));
      return resultOf(input.commandId);
    }

    function resultOf(commandId: string, count = 1): Promise<CommandResultMessage> {
      return until(() => {
        const all = received.get(commandId) ?? [];
        return all.length >= count ? all[count - 1] : undefined;
      }, `${count} result(s) for command ${commandId}`, DEADLINE_MS, 50);
    }

    async function acquired(): Promise<{ customerId: string; email: string; result: CommandResultMessage }> {
      const customerId = randomUUID();
      const data = acquisitionData();
      const result = await execute(command({ type: 'AcquireCustomer', customerId, data }));
      expect(result).toMatchObject({ status: 'accepted', customerId });
      return { customerId, email: data.email as string, result };
    }

    it('accepts a command with its revision and position, and the event is in the history with the command metadata', async () => {
      const customerId = randomUUID();
      const acquire = command({ type: 'AcquireCustomer', customerId, data: acquisitionData(), correlationId: 'corr-1' });
      const first = await execute(acquire);
      expect(first).toEqual({ commandId: acquire.commandId, status: 'accepted', customerId, revision: 0, position: expect.any(Number) });

      const purchase = command({ type: 'RecordPurchase', customerId, data: { orderId: 'o-1', amountMinor: 12_900, currency: 'CNY' } });
      const second = await execute(purchase);
      expect(second).toEqual({ commandId: purchase.commandId, status: 'accepted', customerId, revision: 1, position: expect.any(Number) });
      if (second.status !== 'accepted' || first.status !== 'accepted') throw new Error('unreachable');
      expect(second.position).toBeGreaterThan(first.position);

      const history = await historyOf(api, customerId);
      expect(history.map((e: AuditedEvent) => [e.type, e.revision, e.position, e.metadata.commandId])).toEqual([
        ['CustomerAcquired', 0, first.position, acquire.commandId],
        ['PurchaseRecorded', 1, second.position, purchase.commandId],
      ]);
      expect(history[0].metadata).toMatchObject({ actor: SERVICE, correlationId: 'corr-1', causationId: 'corr-1' });
      expect(history[1].metadata).toMatchObject({ actor: SERVICE, correlationId: purchase.commandId });
      expect(history[1].data).toMatchObject({ orderId: 'o-1', amountMinor: 12_900, currency: 'CNY' });
    });

    it('answers a ResolveComplaint with its path field taken from the data', async () => {
      const { customerId } = await acquired();
      const filed = await execute(
        command({ type: 'FileComplaint', customerId, data: { complaintId: 'c-1', category: 'billing', severity: 'high', description: 'charged twice' } }),
      );
      expect(filed).toMatchObject({ status: 'accepted', revision: 1 });
      const resolve = await execute(command({ type: 'ResolveComplaint', customerId, data: { complaintId: 'c-1', resolution: 'refunded', satisfaction: 4 } }));
      expect(resolve).toMatchObject({ status: 'accepted', revision: 2 });
      const again = await execute(command({ type: 'ResolveComplaint', customerId, data: { complaintId: 'c-1', resolution: 'again' } }));
      expect(again).toMatchObject({ status: 'rejected', customerId, error: { code: 'COMPLAINT_NOT_OPEN' } });
    });

    it('rejects with the SPEC error code and stores nothing: unknown customer, duplicate email', async () => {
      const before = await logHead(api);
      const unknown = randomUUID();
      const purchase = command({ type: 'RecordPurchase', customerId: unknown, data: { orderId: 'o-1', amountMinor: 100, currency: 'CNY' } });
      expect(await execute(purchase)).toEqual({
        commandId: purchase.commandId,
        status: 'rejected',
        customerId: unknown,
        error: { code: 'CUSTOMER_NOT_FOUND', message: expect.any(String) },
      });
      expect(await logHead(api)).toEqual(before);
      expect((await api.http().get(`/v1/customers/${unknown}/history`).set(api.auth('auditor'))).status).toBe(404);

      const { customerId: holder, email } = await acquired();
      const afterHolder = await logHead(api);
      const duplicate = command({ type: 'AcquireCustomer', customerId: randomUUID(), data: acquisitionData({ email, phone: undefined }) });
      expect(await execute(duplicate)).toMatchObject({
        commandId: duplicate.commandId,
        status: 'rejected',
        customerId: duplicate.customerId,
        error: { code: 'DUPLICATE_EMAIL', details: { existingCustomerId: holder } },
      });
      expect(await logHead(api)).toEqual(afterHolder);
    });

    it('answers invalid messages (or skips unreadable ones) without stopping: a valid command after them is processed', async () => {
      const { customerId } = await acquired();
      const before = await logHead(api);
      const headers = { 'message-kind': 'command', 'content-type': 'application/json' };
      const raw = (value: unknown) => ({ key: customerId, headers, value: typeof value === 'string' ? value : JSON.stringify(value) });
      const unknownType = randomUUID();
      const noActor = randomUUID();
      const badData = randomUUID();
      const misKeyed = randomUUID();
      const valid = command({ type: 'RecordContact', customerId, data: { channel: 'phone', direction: 'outbound', outcome: 'reached' } });
      // All keyed by the customer: one partition, so the valid command comes after every bad one.
      await send(
        raw('{ not json'),
        raw(''),
        raw({ commandId: unknownType, type: 'TeleportCustomer', customerId, actor: SERVICE, data: {} }),
        raw({ commandId: noActor, type: 'RecordContact', customerId, data: { channel: 'phone', direction: 'outbound', outcome: 'reached' } }),
        raw({ commandId: 'legacy-cmd-17', type: 'RecordContact', customerId, actor: SERVICE, data: { channel: 'phone', direction: 'outbound', outcome: 'reached' } }),
        raw({ commandId: badData, type: 'RecordPurchase', customerId, actor: SERVICE, data: { orderId: '', amountMinor: 1.5, currency: 'yuan' } }),
        { ...raw({ commandId: misKeyed, type: 'ChurnCustomer', customerId, actor: SERVICE, data: { reason: 'x' } }), key: randomUUID() },
        toCommandMessage(valid),
      );

      expect(await resultOf(valid.commandId)).toMatchObject({ status: 'accepted', customerId, revision: 1 });
      expect(await resultOf(unknownType)).toMatchObject({ status: 'rejected', customerId, error: { code: 'INVALID_MESSAGE', message: expect.stringContaining('type') } });
      expect(await resultOf(noActor)).toMatchObject({ status: 'rejected', customerId, error: { code: 'INVALID_MESSAGE', message: expect.stringContaining('actor') } });
      // Not a uuid, but short and plain: echoed so the sender can correlate the rejection.
      expect(await resultOf('legacy-cmd-17')).toMatchObject({ status: 'rejected', error: { code: 'INVALID_MESSAGE', message: expect.stringContaining('commandId') } });
      const invalidData = await resultOf(badData);
      expect(invalidData).toMatchObject({ status: 'rejected', customerId, error: { code: 'VALIDATION_FAILED' } });
      if (invalidData.status !== 'rejected') throw new Error('unreachable');
      const fields = (invalidData.error.details as { fields: { field: string }[] }).fields.map((f) => f.field).sort();
      expect(fields).toEqual(['amountMinor', 'currency', 'orderId']);
      expect(await resultOf(misKeyed)).toMatchObject({ status: 'rejected', error: { code: 'INVALID_MESSAGE', message: expect.stringContaining('key') } });

      // Only the valid command stored anything, and the consumer committed past every message.
      const after = await logHead(api);
      expect(after.count).toBe(before.count + 1);
      expect((await historyOf(api, customerId)).map((e: AuditedEvent) => e.type)).toEqual(['CustomerAcquired', 'CustomerContacted']);
      const ends = new Map((await admin.fetchTopicOffsets(topics.commands)).map((p) => [p.partition, p.high]));
      await until(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: group('crm-command-ingress'), topics: [topics.commands] });
        // A partition that never held a message has nothing to commit ('-1').
        return committed.partitions.every((p) => p.offset === ends.get(p.partition) || (p.offset === '-1' && ends.get(p.partition) === '0'));
      }, 'the ingress group to commit every command', DEADLINE_MS, 50);
    });

    it('answers a retried commandId as the first time, with one effect', async () => {
      const { customerId } = await acquired();
      const purchase = command({ type: 'RecordPurchase', customerId, data: { orderId: 'o-7', amountMinor: 500, currency: 'CNY' } });
      const first = await execute(purchase);
      expect(first).toMatchObject({ status: 'accepted', revision: 1 });
      // A later command in between, then the retry (a producer that did not see its result).
      expect(await execute(command({ type: 'AssignOwner', customerId, data: { ownerId: 'rep-1' } }))).toMatchObject({ status: 'accepted', revision: 2 });
      await send(toCommandMessage(purchase));
      expect(await resultOf(purchase.commandId, 2)).toEqual(first);

      // AcquireCustomer without a customer id: the server derives it from the command id, so a retry finds the same customer.
      const acquire = command({ type: 'AcquireCustomer', data: acquisitionData() });
      const created = await execute(acquire);
      expect(created).toMatchObject({ status: 'accepted', revision: 0 });
      await send(toCommandMessage(acquire));
      expect(await resultOf(acquire.commandId, 2)).toEqual(created);

      expect((await historyOf(api, customerId)).map((e: AuditedEvent) => e.type)).toEqual(['CustomerAcquired', 'PurchaseRecorded', 'OwnerAssigned']);
      expect((await historyOf(api, created.customerId!)).map((e: AuditedEvent) => e.metadata.commandId)).toEqual([acquire.commandId]);
    });

    it('recognises a retried commandId however many commands the customer had since, and refuses one reused for another command', async () => {
      const { customerId } = await acquired();
      const contact = command({ type: 'RecordContact', customerId, data: { channel: 'phone', direction: 'outbound', outcome: 'reached' } });
      const first = await execute(contact);
      expect(first).toMatchObject({ status: 'accepted', revision: 1 });
      // More commands since than the customer's state remembers (its latest 256), over HTTP.
      for (let i = 0; i < 300; i++) {
        const res = await api.http().post(`/v1/customers/${customerId}/contacts`).set(api.auth('service')).send({ channel: 'email', direction: 'inbound', outcome: 'reached' });
        expect(res.status).toBe(200);
      }
      await send(toCommandMessage(contact));
      expect(await resultOf(contact.commandId, 2)).toEqual(first);
      await send(toCommandMessage({ ...contact, data: { ...contact.data, outcome: 'no-answer' } }));
      expect(await resultOf(contact.commandId, 3)).toMatchObject({ status: 'rejected', customerId, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });

      const history = await historyOf(api, customerId, '?limit=1000');
      expect(history).toHaveLength(302);
      expect(history.filter((e: AuditedEvent) => e.metadata.commandId === contact.commandId).map((e: AuditedEvent) => e.revision)).toEqual([1]);
    });

    it('decides a rejected command again when it is retried: a rejection had no effect', async () => {
      const customerId = randomUUID();
      const purchase = command({ type: 'RecordPurchase', customerId, data: { orderId: 'o-early', amountMinor: 700, currency: 'CNY' } });
      expect(await execute(purchase)).toMatchObject({ status: 'rejected', customerId, error: { code: 'CUSTOMER_NOT_FOUND' } });
      expect(await execute(command({ type: 'AcquireCustomer', customerId, data: acquisitionData() }))).toMatchObject({ status: 'accepted' });
      await send(toCommandMessage(purchase));
      expect(await resultOf(purchase.commandId, 2)).toMatchObject({ status: 'accepted', customerId, revision: 1 });
    });

    it('holds Kafka commands to the roles HTTP requires, and erases for an admin actor', async () => {
      const { customerId } = await acquired();
      const before = await logHead(api);
      const contact = { channel: 'phone', direction: 'outbound', outcome: 'reached' };
      const asAnalyst = command({ type: 'RecordContact', customerId, actor: { id: 'bi-1', role: 'analyst' }, data: contact });
      expect(await execute(asAnalyst)).toMatchObject({ status: 'rejected', customerId, error: { code: 'FORBIDDEN' } });
      const eraseAsService = command({ type: 'ErasePersonalData', customerId });
      expect(await execute(eraseAsService)).toMatchObject({ status: 'rejected', customerId, error: { code: 'FORBIDDEN' } });
      const admin = { id: 'ops-1', role: 'admin' } as const;
      const eraseWithData = command({ type: 'ErasePersonalData', customerId, actor: admin, data: { everything: true } });
      expect(await execute(eraseWithData)).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
      expect(await logHead(api)).toEqual(before);

      const erase = await execute(command({ type: 'ErasePersonalData', customerId, actor: admin }));
      expect(erase).toMatchObject({ status: 'accepted', customerId, revision: 1 });
      const history = await historyOf(api, customerId);
      expect(history.map((e: AuditedEvent) => e.type)).toEqual(['CustomerAcquired', 'PersonalDataErased']);
      expect(history[0].data.name).toBe('[erased]');
      expect(history[1].metadata.actor).toEqual(admin);
      // An admin may send any command, as over HTTP.
      expect(await execute(command({ type: 'RecordContact', customerId, actor: admin, data: contact }))).toMatchObject({ status: 'rejected', error: { code: 'CUSTOMER_ERASED' } });
    });

    it('after a restart, answers nothing twice and still recognises a retried commandId', async () => {
      const { customerId } = await acquired();
      const purchase = command({ type: 'RecordPurchase', customerId, data: { orderId: 'o-9', amountMinor: 900, currency: 'CNY' } });
      const first = await execute(purchase);
      expect(first).toMatchObject({ status: 'accepted', revision: 1 });
      const answeredBefore = new Map([...received].map(([commandId, all]) => [commandId, all.length]));

      api = await api.restart();
      const contact = command({ type: 'RecordContact', customerId, data: { channel: 'sms', direction: 'inbound', outcome: 'reached' } });
      expect(await execute(contact)).toMatchObject({ status: 'accepted', revision: 2 });
      // Committed offsets: the restarted consumer did not answer earlier commands again.
      for (const [commandId, count] of answeredBefore) expect([commandId, received.get(commandId)!.length]).toEqual([commandId, count]);

      // The state cache is gone: the retry is recognised from the stream's metadata.
      await send(toCommandMessage(purchase));
      expect(await resultOf(purchase.commandId, 2)).toEqual(first);
      expect((await historyOf(api, customerId)).map((e: AuditedEvent) => e.type)).toEqual(['CustomerAcquired', 'PurchaseRecorded', 'CustomerContacted']);
    });
  });
});
