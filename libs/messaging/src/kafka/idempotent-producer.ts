import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { brokerErrorType } from './kafka-errors';

/**
 * Broker answers after which it will not take this producer id's next sequence numbers: the
 * idempotent session is over, and kafkajs would get the same answer for every later send. (The
 * Java client bumps its epoch or takes a new producer id on these, KIP-360.)
 */
const SESSION_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** The session-ending broker error behind a kafkajs error, if that is what it is. */
export function sessionLostType(error: unknown): string | null {
  return brokerErrorType(error, SESSION_LOST);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export type MessageSender = Pick<Producer, 'send'>;

export interface IdempotentProducerOptions {
  /** Called once per replacement, with the broker's error type or the failure (for the log). */
  onRenewed?: (reason: string) => void;
  /** A failed connect of the replacement, before it is tried again. */
  onError?: (error: unknown) => void;
  /** Pause between connects of the replacement (default 1 s). */
  reconnectDelayMs?: number;
}

/**
 * An idempotent kafkajs producer that outlives its idempotent session.
 *
 * kafkajs keeps one producer id and counts sequence numbers per partition. When a send fails, it
 * takes that batch's numbers back, even if the broker wrote the batch and only the answer was lost
 * (a timeout, a broker crash after the write). The next batch then reuses them, and the broker
 * either refuses it and every later one (OUT_OF_ORDER_SEQUENCE_NUMBER), or, if it has as many
 * messages, takes it for a retry of the written one, acknowledges it, and drops it.
 *
 * So after any failed send this class sends through a new kafkajs producer, with a new producer id.
 * When the broker refuses the session itself (SESSION_LOST), the send is made once more on the new
 * producer; so is a send that failed because another send had its producer replaced meanwhile.
 * Otherwise the error is the caller's, who sends again (the relay from its checkpoint). Whatever is
 * sent again may be in the topic twice: at-least-once delivery, which every consumer here absorbs.
 */
export class IdempotentProducer implements MessageSender {
  private producer: Producer;
  /** Resolves once `producer` may send: connected, or replaced and connected. */
  private ready: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly create: () => Producer,
    private readonly options: IdempotentProducerOptions = {},
  ) {
    this.producer = create();
  }

  connect(): Promise<void> {
    this.closed = false;
    this.ready = this.producer.connect();
    return this.ready;
  }

  /** Does not wait for a replacement still connecting (kafkajs may take half a minute to give up on a broker that is down). */
  async disconnect(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect();
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    for (let attempt = 1; ; attempt++) {
      await this.ready;
      const used = this.producer;
      try {
        return await used.send(record);
      } catch (error) {
        if (this.closed) throw error;
        const lost = sessionLostType(error);
        const replacedMeanwhile = this.producer !== used;
        // The broker may have written a send that failed here (a lost answer): kafkajs takes the batch's
        // sequence numbers back all the same, and the next batch would reuse them. So after any failure
        // the next send goes through a new producer id.
        if (!replacedMeanwhile) this.renew(lost ?? describe(error));
        if (attempt === 2 || !(lost || replacedMeanwhile)) throw error;
      }
    }
  }

  private renew(reason: string): void {
    const broken = this.producer;
    const fresh = this.create();
    this.producer = fresh;
    this.ready = broken
      .disconnect()
      .catch(() => undefined)
      .then(() => this.connectUntilClosed(fresh));
    this.options.onRenewed?.(reason);
  }

  /** kafkajs retries a connect for about half a minute; a broker down for longer must not leave the sender unconnected. */
  private async connectUntilClosed(fresh: Producer): Promise<void> {
    while (!this.closed) {
      try {
        await fresh.connect();
        if (this.closed) await fresh.disconnect();
        return;
      } catch (error) {
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, this.options.reconnectDelayMs ?? 1_000));
      }
    }
  }
}
