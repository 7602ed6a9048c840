import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Producer, type ProducerRecord, type RecordMetadata } from 'kafkajs';
import { IdempotentProducer, sessionLostType } from './idempotent-producer';

/** A kafkajs producer stand-in: each send takes the next scripted answer (a result, or an error to throw). */
class ScriptedProducer {
  readonly sent: ProducerRecord[] = [];
  connects = 0;
  disconnects = 0;
  constructor(
    readonly id: number,
    private readonly answers: (RecordMetadata[] | Error | Promise<RecordMetadata[]>)[] = [],
    private readonly connectFailures = 0,
  ) {}

  async connect(): Promise<void> {
    this.connects++;
    if (this.connects <= this.connectFailures) throw new Error(`producer ${this.id}: broker not reachable`);
  }

  async disconnect(): Promise<void> {
    this.disconnects++;
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    this.sent.push(record);
    const answer = this.answers.shift() ?? meta(this.id);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

const meta = (producer: number): RecordMetadata[] => [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: String(producer) }];
const record = (value: string): ProducerRecord => ({ topic: 't', acks: -1, messages: [{ key: 'k', value }] });

/** What kafkajs throws when the broker answers a produce with this error type (a bail of its retrier). */
function brokerError(type: string, code: number): Error {
  return new KafkaJSProtocolError({ type, code, message: `broker said ${type}`, retriable: false } as unknown as Error);
}

function producerWith(...scripts: ScriptedProducer[]) {
  const created: ScriptedProducer[] = [];
  const renewed: string[] = [];
  const producer = new IdempotentProducer(
    () => {
      const next = scripts[created.length] ?? new ScriptedProducer(created.length);
      created.push(next);
      return next as unknown as Producer;
    },
    { onRenewed: (reason) => renewed.push(reason), reconnectDelayMs: 1 },
  );
  return { producer, created, renewed };
}

describe('IdempotentProducer', () => {
  it('finds the broker error type behind kafkajs wrappers, and only the session-ending ones', () => {
    expect(sessionLostType(brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    // kafkajs's retrier wraps what it gives up on, the broker's error as `cause`.
    const wrapped = Object.assign(new KafkaJSNonRetriableError(new Error('bailed')), { cause: brokerError('UNKNOWN_PRODUCER_ID', 59) });
    expect(sessionLostType(wrapped)).toBe('UNKNOWN_PRODUCER_ID');
    expect(sessionLostType(brokerError('INVALID_PRODUCER_EPOCH', 47))).toBe('INVALID_PRODUCER_EPOCH');
    expect(sessionLostType(brokerError('NOT_LEADER_OR_FOLLOWER', 6))).toBeNull();
    expect(sessionLostType(new Error('Connection error'))).toBeNull();
    expect(sessionLostType(undefined)).toBeNull();
  });

  it('when the broker ends the session, sends the record again through a new, connected producer', async () => {
    const first = new ScriptedProducer(0, [meta(0), brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45)]);
    const { producer, created, renewed } = producerWith(first);
    await producer.connect();

    expect(await producer.send(record('a'))).toEqual(meta(0));
    expect(await producer.send(record('b'))).toEqual(meta(1));

    expect(renewed).toEqual(['OUT_OF_ORDER_SEQUENCE_NUMBER']);
    expect(created).toHaveLength(2);
    const [, second] = created;
    expect(first.disconnects).toBe(1);
    expect(second.connects).toBe(1);
    expect(second.sent).toEqual([record('b')]);
    // Later sends stay on the new producer.
    await producer.send(record('c'));
    expect(second.sent.map((r) => r.messages[0].value)).toEqual(['b', 'c']);
    expect(first.sent.map((r) => r.messages[0].value)).toEqual(['a', 'b']);
  });

  it('any other failure is the caller\'s, as kafkajs gave it; the next send goes through a new producer', async () => {
    // The broker may have written what failed: the old producer's sequence numbers cannot be trusted.
    const refused = new KafkaJSNonRetriableError('Connection error: connect ECONNREFUSED');
    const first = new ScriptedProducer(0, [refused]);
    const { producer, created, renewed } = producerWith(first);
    await producer.connect();
    await expect(producer.send(record('a'))).rejects.toBe(refused);
    expect(renewed).toEqual(['KafkaJSNonRetriableError: Connection error: connect ECONNREFUSED']);
    expect(first.disconnects).toBe(1);

    expect(await producer.send(record('a'))).toEqual(meta(1));
    expect(created).toHaveLength(2);
    expect(first.sent).toHaveLength(1);
  });

  it('renews once for sends that failed together, and each of them is sent again on the new producer', async () => {
    let fail!: (e: Error) => void;
    const pending = new Promise<RecordMetadata[]>((_, reject) => (fail = reject));
    const first = new ScriptedProducer(0, [pending, pending]);
    const { producer, created, renewed } = producerWith(first);
    await producer.connect();

    const both = Promise.all([producer.send(record('a')), producer.send(record('b'))]);
    fail(brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45));
    expect(await both).toEqual([meta(1), meta(1)]);
    expect(renewed).toHaveLength(1);
    expect(created).toHaveLength(2);
    expect(created[1].sent.map((r) => r.messages[0].value).sort()).toEqual(['a', 'b']);
  });

  it('a send that fails because its producer was replaced meanwhile goes again on the new one', async () => {
    let fail!: (e: Error) => void;
    const slow = new Promise<RecordMetadata[]>((_, reject) => (fail = reject));
    const first = new ScriptedProducer(0, [brokerError('UNKNOWN_PRODUCER_ID', 59), slow]);
    const { producer, created } = producerWith(first);
    await producer.connect();

    // 'b' is in flight on the first producer when 'a' ends its session; the first producer is then disconnected.
    const a = producer.send(record('a'));
    const b = producer.send(record('b'));
    await a;
    fail(new Error('The producer is disconnected'));
    expect(await b).toEqual(meta(1));
    expect(created[1].sent.map((r) => r.messages[0].value)).toEqual(['a', 'b']);
  });

  it('keeps connecting the new producer while the broker cannot be reached, and sends once it is', async () => {
    const first = new ScriptedProducer(0, [brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45)]);
    const second = new ScriptedProducer(1, [], 3);
    const { producer } = producerWith(first, second);
    await producer.connect();
    expect(await producer.send(record('a'))).toEqual(meta(1));
    expect(second.connects).toBe(4);
  });

  it('a failure on the new producer too is the caller\'s (the relay sends the batch again later)', async () => {
    const lost = () => brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45);
    const { producer, created } = producerWith(new ScriptedProducer(0, [lost()]), new ScriptedProducer(1, [lost()]));
    await producer.connect();
    await expect(producer.send(record('a'))).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    // The second producer's session ended too: the next send starts on a third.
    expect(created).toHaveLength(3);
    expect(await producer.send(record('b'))).toEqual(meta(2));
  });

  it('after disconnect, nothing is sent again', async () => {
    let fail!: (e: Error) => void;
    const pending = new Promise<RecordMetadata[]>((_, reject) => (fail = reject));
    const { producer, created } = producerWith(new ScriptedProducer(0, [pending]));
    await producer.connect();
    const sending = producer.send(record('a'));
    await producer.disconnect();
    fail(brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45));
    await expect(sending).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(created).toHaveLength(1);
  });
});
