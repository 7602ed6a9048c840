import { Logger } from '@nestjs/common';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SqliteEventStore } from '@crm/event-store';
import {
  type DocumentStore,
  type Pausable,
  PositionWatch,
  type ProjectionStatus,
  READ_MODEL_PROJECTIONS,
  type ReadModels,
  type RebuildProgress,
} from '@crm/read-models';
import { type CallTarget, type FromThread, fromRemoteError, type ReadSideThreadData, type ToThread } from './protocol';

export interface WorkerReadSideOptions {
  documentsFile: string;
  maxBatchSize: number;
  /** The writer's clock when it is not the system clock (tests): the thread follows it. */
  now?: () => Date;
}

const DOCUMENT_METHODS = ['findOne', 'find', 'findByIds', 'count', 'commit', 'readCheckpoint', 'deleteCheckpoint', 'renameCollection', 'dropCollection', 'ensureIndex'] as const;

/**
 * The read side of the embedded default, run on a worker thread (read-side.worker.ts) so that
 * projecting, querying and rebuilding do not take the event loop that serves commands. This side
 * reports each durable position of the log to the thread, keeps the position the read models have
 * reached (read-your-writes waits are answered here, without a round trip), and forwards the rest:
 * `documents` is the thread's document store, `projector` its live projector.
 */
export class WorkerReadSide implements ReadModels {
  readonly documents: DocumentStore;
  readonly projector: Pausable;
  private readonly logger = new Logger('ReadSide');
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** The position the thread reported the read models have reached. */
  private readonly reached = new PositionWatch();
  private nextId = 0;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private durable: number | null = null;
  private readonly stopFollowing: () => void;
  private readonly now: () => Date;

  constructor(
    private readonly events: SqliteEventStore,
    private readonly options: WorkerReadSideOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    const workerData: ReadSideThreadData = {
      eventsFile: events.file,
      documentsFile: options.documentsFile,
      durable: events.durablePosition(),
      now: this.now().getTime(),
      systemClock: options.now === undefined,
      maxBatchSize: options.maxBatchSize,
    };
    // From the TypeScript sources (tests), the thread compiles them as it loads them.
    const typescript = __filename.endsWith('.ts');
    this.worker = new Worker(join(__dirname, `read-side.worker.${typescript ? 'ts' : 'js'}`), {
      workerData,
      ...(typescript && {
        execArgv: ['--require', '@swc-node/register'],
        env: { ...process.env, SWC_NODE_PROJECT: resolve(__dirname, '../../../../tsconfig.json') },
      }),
    });
    // A thread that failed must not keep a process alive that is otherwise done; close() waits for it.
    this.worker.unref();
    this.worker.on('message', (message: FromThread) => this.receive(message));
    this.worker.on('error', (error: unknown) => this.fail(error instanceof Error ? error : new Error(`The read-side thread failed: ${describe(error)}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`The read-side thread exited (code ${code})`)));
    this.stopFollowing = events.onDurable((position) => this.reportDurable(position));
    this.documents = Object.assign(
      Object.fromEntries(DOCUMENT_METHODS.map((method) => [method, (...args: unknown[]) => this.call('documents', method, args)])),
      { close: () => this.close() },
    ) as unknown as DocumentStore;
    this.projector = {
      pause: async () => void (await this.call('projector', 'pause', [])),
      resume: () => void this.call('projector', 'resume', []).catch(() => undefined),
    };
  }

  /** Starts the projector in the thread (refused, as in one thread, for a checkpoint past the log's end). */
  async start(): Promise<void> {
    await this.call('readSide', 'start', []);
    this.reached.advance((await this.call('readSide', 'current', [])) as number);
  }

  /** Stops the projector once a rebuild in progress has finished. */
  async stop(): Promise<void> {
    if (!this.failure) await this.call('readSide', 'stop', []);
  }

  async current(): Promise<number> {
    return this.reached.position;
  }

  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.reached.waitFor(position, timeoutMs);
  }

  async status(): Promise<ProjectionStatus[]> {
    if (!this.failure) return (await this.call('readSide', 'status', [])) as ProjectionStatus[];
    // The thread is gone: say so, with what is still known here.
    const head = this.events.durablePosition();
    return READ_MODEL_PROJECTIONS.map((p) => ({
      name: p.name,
      collection: p.collection,
      status: 'stopped',
      position: this.reached.position,
      head,
      lagEvents: Math.max(0, head - this.reached.position),
      lagSeconds: 0,
      parkedCustomers: 0,
      parked: [],
      lastError: this.failure!.message,
      rebuild: null,
    }));
  }

  async startRebuild(names: readonly string[]): Promise<RebuildProgress> {
    return (await this.call('readSide', 'startRebuild', [names])) as RebuildProgress;
  }

  /** Resolves when the running rebuild (if any) has finished. */
  async rebuildFinished(): Promise<RebuildProgress | null> {
    return (await this.call('readSide', 'rebuildFinished', [])) as RebuildProgress | null;
  }

  /** For tests of a rebuild in progress: holds the rebuild's reads of the log until the returned function is called. */
  async holdRebuildReads(): Promise<() => Promise<void>> {
    await this.call('thread', 'holdRebuildReads', []);
    return async () => void (await this.call('thread', 'releaseRebuildReads', []));
  }

  /** Closes the thread's log and documents, then ends the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopFollowing();
      try {
        if (!this.failure) await this.call('thread', 'close', []);
      } finally {
        this.failure ??= new Error('The read side is closed');
        await this.worker.terminate();
      }
    })();
    return this.closing;
  }

  private call(target: CallTarget, method: string, args: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ kind: 'call', id, target, method, args, now: this.now().getTime() });
    });
  }

  private post(message: ToThread): void {
    this.worker.postMessage(message);
  }

  /** Once a turn at most: the appends of one fsync report one after the other. */
  private reportDurable(position: number): void {
    const scheduled = this.durable !== null;
    this.durable = position;
    if (scheduled || this.failure) return;
    setImmediate(() => {
      const at = this.durable!;
      this.durable = null;
      if (!this.failure) this.post({ kind: 'durable', position: at, now: this.now().getTime() });
    });
  }

  private receive(message: FromThread): void {
    if (message.kind === 'position') return this.reached.advance(message.position);
    if (message.kind === 'failed') {
      const { name, message: reason } = message.error;
      return this.fail(new Error(`The read side could not open its files (${this.options.documentsFile}, ${this.events.file}): ${name}: ${reason}`));
    }
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.error) call.reject(fromRemoteError(message.error));
    else call.resolve(message.value);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    if (!this.closing) this.logger.error(`The read side stopped: ${error.message}`);
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value) return String((value as { message: unknown }).message);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
