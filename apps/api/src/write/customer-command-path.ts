import { Inject, Injectable } from '@nestjs/common';
import {
  CURRENT_SCHEMA_VERSION,
  type CustomerCommand,
  type CustomerCommandType,
  type CustomerDecider,
  type CustomerEvent,
  customerStreamId,
  type RecordedCustomerEvent,
} from '@crm/domain';
import { EVENT_STORE, type EventStore, WrongExpectedRevisionError } from '@crm/event-store';
import { PersonalDataCipher } from '@crm/privacy';
import { ApiError } from '../http/api-error';
import { CLOCK, type Clock } from '@crm/platform';
import type { CommandContext, CommandResult } from './command-context';
import { ContactUniqueness } from './contact-uniqueness';
import { type CustomerAggregate, CustomerAggregates, CUSTOMER_DECIDER } from './customer-aggregates';
import { KeyedLock } from './keyed-lock';
import { derivedIds } from './derived-ids';

const MAX_ATTEMPTS = 5;

type CommandOf<T extends CustomerCommandType> = Extract<CustomerCommand, { type: T }>;
export type CommandPayload<T extends CustomerCommandType> = Omit<CommandOf<T>['data'], 'customerId'> & { occurredAt?: string };

function revisionConflict(current: number): ApiError {
  return new ApiError(409, 'REVISION_CONFLICT', 'The customer has changed since the revision in If-Match', {
    currentRevision: current,
  });
}

/**
 * The one write path (CONVENTIONS 5): load -> fold -> decide -> append with the expected revision.
 * Commands on one customer run one at a time in this process. The state comes from a cache; when
 * another process wrote in between, the expected revision catches it and, without If-Match, the
 * command is decided again on the caught-up state (a retried command is recognised by its id then).
 */
@Injectable()
export class CustomerCommandPath {
  private readonly locks = new KeyedLock();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CUSTOMER_DECIDER) private readonly decider: CustomerDecider,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly aggregates: CustomerAggregates,
    private readonly cipher: PersonalDataCipher,
    private readonly uniqueness: ContactUniqueness,
  ) {}

  run<T extends CustomerCommandType>(
    context: CommandContext,
    type: T,
    customerId: string,
    payload: CommandPayload<T>,
  ): Promise<CommandResult> {
    const now = this.clock.now().toISOString();
    const { occurredAt, ...data } = payload;
    const command = {
      type,
      data: { ...data, customerId },
      time: { occurredAt: occurredAt ? new Date(occurredAt).toISOString() : now, now },
    } as unknown as CommandOf<T>;
    return this.locks.run(customerId, () => this.attempt(command, context, 1));
  }

  private async attempt(command: CustomerCommand, context: CommandContext, attempt: number): Promise<CommandResult> {
    const { customerId } = command.data;
    let aggregate = await this.aggregates.load(customerId);
    // The cache may lag behind another writer: look again before telling the caller it is stale.
    if (context.expectedRevision !== undefined && context.expectedRevision !== aggregate.revision) {
      aggregate = await this.aggregates.refresh(customerId);
    }
    const earlier = aggregate.recentCommands.get(context.commandId);
    if (earlier) return { customerId, ...earlier };
    if (context.expectedRevision !== undefined && context.expectedRevision !== aggregate.revision) {
      throw revisionConflict(aggregate.revision);
    }
    const events = this.decider.decide(command, aggregate.state);
    if (events.length === 0) return { customerId, revision: aggregate.revision, position: aggregate.position };

    const recorded = events.map((event, i) => this.record(event, i, command, context));
    const claims = await this.uniqueness.reserve(customerId, aggregate.state, events);
    try {
      // Shred first: should the append fail, the data is unreadable anyway, as the admin asked.
      if (events.some((e) => e.type === 'PersonalDataErased')) await this.cipher.erase(customerId);
      const result = await this.append(aggregate, recorded);
      this.aggregates.apply(aggregate, recorded.map((event) => ({ event, ...result })));
      await this.uniqueness.settle(customerId, aggregate.state, events);
      return { customerId, ...result };
    } catch (error) {
      await this.uniqueness.undo(customerId, claims);
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      await this.aggregates.refresh(customerId);
      if (context.expectedRevision !== undefined) throw revisionConflict(error.actual);
      if (attempt >= MAX_ATTEMPTS) throw new ApiError(409, 'CONCURRENT_MODIFICATION', 'The customer is changing too fast; retry');
      return this.attempt(command, context, attempt + 1);
    }
  }

  private record(event: CustomerEvent, index: number, command: CustomerCommand, context: CommandContext): RecordedCustomerEvent {
    return {
      ...event,
      metadata: {
        eventId: derivedIds.event(context.commandId, index),
        commandId: context.commandId,
        correlationId: context.correlationId,
        causationId: context.causationId,
        actor: context.actor,
        occurredAt: command.time.occurredAt,
        recordedAt: command.time.now,
        schemaVersion: CURRENT_SCHEMA_VERSION,
      },
    } as RecordedCustomerEvent;
  }

  private async append(aggregate: CustomerAggregate, events: RecordedCustomerEvent[]) {
    const sealed = await Promise.all(
      events.map(async (e) => ({
        eventId: e.metadata.eventId,
        type: e.type,
        data: await this.cipher.encrypt(aggregate.customerId, e.type, e.data, { newCustomer: aggregate.revision < 0 }),
        metadata: { ...e.metadata },
      })),
    );
    const expected = aggregate.revision < 0 ? 'no_stream' : aggregate.revision;
    return this.store.append(customerStreamId(aggregate.customerId), sealed, expected);
  }
}
