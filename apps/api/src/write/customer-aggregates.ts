import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CRM_CONFIG, type CrmConfig } from '@crm/config';
import { type CustomerDecider, type CustomerState, customerStreamId, type RecordedCustomerEvent, toCustomerEvent } from '@crm/domain';
import { EVENT_STORE, type EventStore } from '@crm/event-store';
import { PersonalDataCipher } from '@crm/privacy';

export const CUSTOMER_DECIDER = Symbol('CUSTOMER_DECIDER');
const RECENT_COMMANDS = 256;

export interface CustomerAggregate {
  customerId: string;
  state: CustomerState;
  /** Last stream revision folded in; -1 before the stream exists. */
  revision: number;
  /** Global position of that event; 0 before the stream exists. */
  position: number;
  /** Results of the latest commands, so a retried command (same commandId) answers as the first time. */
  recentCommands: Map<string, { revision: number; position: number }>;
}

export interface FoldedEvent {
  event: RecordedCustomerEvent;
  revision: number;
  position: number;
}

/**
 * Customer states folded from their streams and cached. A cached state may be stale when another
 * process wrote the stream; the append's expected revision detects that, and `refresh` catches up.
 */
@Injectable()
export class CustomerAggregates {
  private readonly cache: LRUCache<string, CustomerAggregate>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CUSTOMER_DECIDER) private readonly decider: CustomerDecider,
    private readonly cipher: PersonalDataCipher,
    @Inject(CRM_CONFIG) config: CrmConfig,
  ) {
    this.cache = new LRUCache({ max: config.stateCacheSize });
  }

  async load(customerId: string): Promise<CustomerAggregate> {
    return this.cache.get(customerId) ?? this.refresh(customerId);
  }

  /** Reads only what the cache has not seen yet. */
  async refresh(customerId: string): Promise<CustomerAggregate> {
    const cached = this.cache.get(customerId) ?? this.empty(customerId);
    const newer = await this.store.readStream(customerStreamId(customerId), { fromRevision: cached.revision + 1 });
    if (newer.length === 0) return cached;
    const events = await this.cipher.decrypt(customerId, newer.map(toCustomerEvent));
    return this.apply(
      cached,
      events.map((event, i) => ({ event, revision: newer[i].revision, position: newer[i].position })),
    );
  }

  /** Folds events into the aggregate and caches the result; a command's last event gives its result. */
  apply(aggregate: CustomerAggregate, folded: FoldedEvent[]): CustomerAggregate {
    const recentCommands = aggregate.recentCommands;
    let state = aggregate.state;
    for (const { event, revision, position } of folded) {
      state = this.decider.evolve(state, event);
      recentCommands.delete(event.metadata.commandId);
      recentCommands.set(event.metadata.commandId, { revision, position });
      if (recentCommands.size > RECENT_COMMANDS) recentCommands.delete(recentCommands.keys().next().value!);
    }
    const { revision, position } = folded[folded.length - 1];
    const next = { customerId: aggregate.customerId, state, revision, position, recentCommands };
    this.cache.set(aggregate.customerId, next);
    return next;
  }

  private empty(customerId: string): CustomerAggregate {
    return { customerId, state: this.decider.initialState(), revision: -1, position: 0, recentCommands: new Map() };
  }
}
