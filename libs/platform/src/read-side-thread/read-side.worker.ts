import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { type ReadAllOptions, SqliteLogFollower } from '@crm/event-store';
import { EmbeddedDocumentStore, READ_MODEL_PROJECTIONS, ReadSide } from '@crm/read-models';
import { type CallTarget, type FromThread, type ReadSideThreadData, type ToThread, toRemoteError } from './protocol';

// The read side of the embedded default, on its own thread: the projector following the log, the
// read-model documents (in memory and in their SQLite file), queries and rebuilds. The writing
// thread keeps the HTTP API and the appends; it reports durable positions, this thread reports
// the positions the read models reach.

/**
 * Commands come first: on Linux this thread runs at a lower priority (nice 10) than the event loop
 * serving them, so on a busy host the projector takes the CPU time left over and catches up in
 * bigger batches, instead of slowing every command down. Elsewhere it keeps the process's priority.
 */
function yieldToCommands(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId)) setPriority(threadId, 10);
  } catch {
    // not Linux, or not allowed: the same priority as the rest of the process
  }
}

yieldToCommands();
const data = workerData as ReadSideThreadData;
const port = parentPort!;
const send = (message: FromThread) => port.postMessage(message);
let now = data.now;

/** Opens the log and the documents; what fails here (another process holds the documents file) is told, not thrown. */
function open(): { events: SqliteLogFollower; documents: EmbeddedDocumentStore } | null {
  let events: SqliteLogFollower | null = null;
  try {
    events = new SqliteLogFollower(data.eventsFile, data.durable);
    return { events, documents: new EmbeddedDocumentStore(data.documentsFile) };
  } catch (error) {
    void events?.close();
    send({ kind: 'failed', error: toRemoteError(error) });
    return null;
  }
}

const opened = open();
if (opened) serve(opened.events, opened.documents);
else port.close();

function serve(events: SqliteLogFollower, documents: EmbeddedDocumentStore): void {
  const clock = data.systemClock ? () => new Date() : () => new Date(now);
  const readSide = new ReadSide(events, documents, clock, READ_MODEL_PROJECTIONS, { maxBatchSize: data.maxBatchSize });
  readSide.projector.onAdvance((position) => send({ kind: 'position', position }));

  /** Holds the rebuild's pages of the log (reads of more than one event) until released: for tests of a rebuild in progress. */
  let releaseRebuildReads: (() => void) | null = null;
  function holdRebuildReads(): void {
    if (releaseRebuildReads) return;
    const gate = new Promise<void>((resolve) => (releaseRebuildReads = resolve));
    const readAll = SqliteLogFollower.prototype.readAll.bind(events);
    events.readAll = async (options?: ReadAllOptions) => {
      if ((options?.maxCount ?? Infinity) > 1) await gate;
      return readAll(options);
    };
  }

  const thread = {
    holdRebuildReads,
    releaseRebuildReads: () => {
      releaseRebuildReads?.();
      releaseRebuildReads = null;
      events.readAll = SqliteLogFollower.prototype.readAll;
    },
    /** Stops the projector (after a rebuild in progress), closes the log and the documents. */
    async close(): Promise<void> {
      await readSide.stop();
      await events.close();
      await documents.close();
    },
  };

  const targets: Record<CallTarget, object> = { documents, readSide, projector: readSide.projector, thread };

  port.on('message', (message: ToThread) => {
    if (message.kind === 'durable') {
      now = message.now;
      events.advance(message.position);
      return;
    }
    const { id, target, method, args } = message;
    now = message.now;
    void (async () => {
      const subject = targets[target] as Record<string, (...a: unknown[]) => unknown>;
      if (typeof subject[method] !== 'function') throw new Error(`The read-side thread has no ${target}.${method}`);
      return subject[method](...args);
    })().then(
      (value) => send({ kind: 'reply', id, value }),
      (error: unknown) => send({ kind: 'reply', id, error: toRemoteError(error) }),
    );
  });
}
