import { CompositionError } from '@crm/config';
import type { EventStore } from '@crm/event-store';
import type { Document, DocumentStore } from '@crm/read-models';

const COLLECTION = 'bindings';
const EVENT_LOG = 'event-log';

interface EventLogBindingDocument extends Document {
  logId: string;
  boundAt: string;
}

/**
 * The read-model store holds positions (checkpoints) and documents of another event log than the
 * configured one: a configuration that does not hold together, printed without a stack.
 */
export class EventLogMismatchError extends CompositionError {
  constructor(
    readonly boundTo: string,
    readonly logId: string,
  ) {
    super(
      `The read-model store was built from event log ${boundTo}, but the configured event store is log ${logId}. ` +
        'Their positions do not match, so the relay and projectors would skip or misplace events; nothing was started. ' +
        'Point MONGO_URL (or CRM_DATA_DIR for the embedded store) at the database that belongs to this log, or at an empty one, ' +
        'or point the event store back at the log the read models came from.',
    );
    this.name = 'EventLogMismatchError';
  }
}

/**
 * Ties the read-model store (and everything kept beside it: checkpoints, parked customers) to one
 * event log. `check` refuses a store bound to another log; `recordIfNew` binds a store that is not
 * bound yet, once whatever follows the log has started (its own checks, such as a checkpoint past
 * the log's end, come first, so a refused start binds nothing). Of processes binding at the same
 * time the first write wins (a revision-conditional insert) and the others read it back.
 */
export class EventLogBinding {
  private constructor(
    private readonly documents: DocumentStore,
    readonly logId: string,
    private bound: boolean,
  ) {}

  static async check(events: Pick<EventStore, 'logId'>, documents: DocumentStore): Promise<EventLogBinding> {
    const logId = await events.logId();
    const stored = await documents.findOne<EventLogBindingDocument>(COLLECTION, { _id: EVENT_LOG });
    if (stored && stored.logId !== logId) throw new EventLogMismatchError(stored.logId, logId);
    return new EventLogBinding(documents, logId, stored !== null);
  }

  async recordIfNew(now: () => Date = () => new Date()): Promise<void> {
    if (this.bound) return;
    const doc: EventLogBindingDocument = { _id: EVENT_LOG, revision: 0, logId: this.logId, boundAt: now().toISOString() };
    await this.documents.commit([{ collection: COLLECTION, doc }]);
    const stored = await this.documents.findOne<EventLogBindingDocument>(COLLECTION, { _id: EVENT_LOG });
    if (stored?.logId !== this.logId) throw new EventLogMismatchError(stored?.logId ?? '(none)', this.logId);
    this.bound = true;
  }
}
