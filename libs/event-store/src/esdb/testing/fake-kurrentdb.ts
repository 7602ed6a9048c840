import { createRequire } from 'node:module';
import type * as GrpcModule from '@grpc/grpc-js';
import type * as AnyModule from 'google-protobuf/google/protobuf/any_pb';
import type * as EmptyModule from 'google-protobuf/google/protobuf/empty_pb';
import { ServerFeaturesService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb';
import * as shared from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb';
import { Status } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/status_pb';
import { StreamsService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, ReadReq, ReadResp } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb';

// The client's own gRPC and protobuf runtimes, so the fake speaks exactly what the installed client expects.
const clientRequire = createRequire(require.resolve('@kurrent/kurrentdb-client'));
const grpc = clientRequire('@grpc/grpc-js') as typeof GrpcModule;
const { Any } = clientRequire('google-protobuf/google/protobuf/any_pb') as typeof AnyModule;
const { Empty } = clientRequire('google-protobuf/google/protobuf/empty_pb') as typeof EmptyModule;

interface StoredEvent {
  streamId: string;
  id: string;
  type: string;
  contentType: string;
  revision: number;
  position: number;
  data: Uint8Array;
  metadata: Uint8Array;
}

interface Proposed {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

/** -1: no stream; -2: any; -4: stream exists (the server's ExpectedVersion constants). */
type Expected = number;
type AppendOutcome = { ok: true; revision: number; position: number } | { ok: false; current: number };
type Filter = (event: StoredEvent) => boolean;

interface Subscriber {
  call: GrpcModule.ServerWritableStream<ReadReq, ReadResp>;
  filter: Filter;
  structuredIds: boolean;
}

const ANY = -2;
const STREAM_EXISTS = -4;
const TICKS_AT_EPOCH = 621_355_968_000_000_000n;

/**
 * An in-memory stand-in for a single KurrentDB node, speaking the v1 gRPC protocol the installed
 * client uses (Append, BatchAppend, Read, ServerFeatures). It models the server behaviour the
 * adapter relies on, as read in the KurrentDB sources: per-stream idempotency on event ids
 * (IndexWriter.CheckCommit), positions that are byte offsets of log records (so position + 1 is
 * not readable), commit == prepare for appended events, exclusive subscription starts. It checks
 * that the adapter drives the real client correctly; it proves nothing about a real server.
 */
export class FakeKurrentDb {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly recordStarts = new Set<number>();
  private end = 0;
  private readonly subscribers = new Set<Subscriber>();
  private port = 0;

  private constructor(
    private readonly server: GrpcModule.Server,
    private readonly batchAppend: boolean,
  ) {}

  /** `batchAppend`: advertise BatchAppend as current servers do (the client then uses it), else the client falls back to Append. */
  static async start(options: { batchAppend?: boolean } = {}): Promise<FakeKurrentDb> {
    const server = new grpc.Server();
    const fake = new FakeKurrentDb(server, options.batchAppend ?? true);
    fake.writeSystemEvent('$epochs');
    server.addService(StreamsService, {
      append: (call: GrpcModule.ServerReadableStream<AppendReq, AppendResp>, callback: GrpcModule.sendUnaryData<AppendResp>) => fake.onAppend(call, callback),
      batchAppend: (call: GrpcModule.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => fake.onBatchAppend(call),
      read: (call: GrpcModule.ServerWritableStream<ReadReq, ReadResp>) => fake.onRead(call),
    } as unknown as GrpcModule.UntypedServiceImplementation);
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_: unknown, callback: GrpcModule.sendUnaryData<SupportedMethods>) => fake.onFeatures(callback),
    } as unknown as GrpcModule.UntypedServiceImplementation);
    fake.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return fake;
  }

  get connectionString(): string {
    return `kurrentdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Ends every live subscription with UNAVAILABLE, as a node restart or a network cut would. */
  dropSubscriptions(): number {
    const dropped = this.subscribers.size;
    for (const subscriber of this.subscribers) subscriber.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'Subscription dropped by the fake server' });
    this.subscribers.clear();
    return dropped;
  }

  /** Events of other categories and system streams, which the adapter must leave out. */
  writeSystemEvent(streamId = '$stats-127.0.0.1:2113'): void {
    this.write(streamId, [{ id: crypto.randomUUID(), type: '$statsCollected', contentType: 'application/json', data: Buffer.from('{}'), metadata: Buffer.alloc(0) }]);
  }

  /** Forced: the client's dispose() does not close the connections of its Rust read bridge, so a graceful shutdown would wait for them. */
  async stop(): Promise<void> {
    this.dropSubscriptions();
    this.server.forceShutdown();
  }

  private onFeatures(callback: GrpcModule.sendUnaryData<SupportedMethods>): void {
    if (!this.batchAppend) return callback({ code: grpc.status.UNIMPLEMENTED, details: 'not implemented' }, null);
    const methods = ['read', 'append', 'batchappend'].map((name) => new SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(name));
    callback(null, new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('24.10.0'));
  }

  private onAppend(call: GrpcModule.ServerReadableStream<AppendReq, AppendResp>, callback: GrpcModule.sendUnaryData<AppendResp>): void {
    let streamId = '';
    let expected: Expected = ANY;
    const proposed: Proposed[] = [];
    call.on('data', (req: AppendReq) => {
      const options = req.getOptions();
      if (options) {
        streamId = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
        expected = options.hasRevision() ? Number(options.getRevision()) : options.hasNoStream() ? -1 : options.hasStreamExists() ? STREAM_EXISTS : ANY;
      }
      const message = req.getProposedMessage();
      if (message) proposed.push(toProposed(message));
    });
    call.on('end', () => {
      const outcome = this.append(streamId, expected, proposed);
      const resp = new AppendResp();
      if (outcome.ok) {
        const position = new AppendResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position));
        resp.setSuccess(new AppendResp.Success().setCurrentRevision(String(outcome.revision)).setPosition(position));
      } else {
        const wrong = new AppendResp.WrongExpectedVersion();
        if (outcome.current < 0) wrong.setCurrentNoStream(new shared.Empty());
        else wrong.setCurrentRevision(String(outcome.current));
        resp.setWrongExpectedVersion(wrong);
      }
      callback(null, resp);
    });
  }

  private onBatchAppend(call: GrpcModule.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const pending = new Map<string, { streamId: string; expected: Expected; proposed: Proposed[]; correlation: shared.UUID }>();
    call.on('data', (req: BatchAppendReq) => {
      const correlation = req.getCorrelationId()!;
      const key = uuidOf(correlation);
      let entry = pending.get(key);
      const options = req.getOptions();
      if (!entry) {
        const streamId = Buffer.from(options!.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
        const expected = options!.hasStreamPosition() ? Number(options!.getStreamPosition()) : options!.hasNoStream() ? -1 : options!.hasStreamExists() ? STREAM_EXISTS : ANY;
        entry = { streamId, expected, proposed: [], correlation };
        pending.set(key, entry);
      }
      entry.proposed.push(...req.getProposedMessagesList().map(toProposed));
      if (!req.getIsFinal()) return;
      pending.delete(key);
      const outcome = this.append(entry.streamId, entry.expected, entry.proposed);
      const resp = new BatchAppendResp().setCorrelationId(entry.correlation).setStreamIdentifier(new shared.StreamIdentifier().setStreamName(Buffer.from(entry.streamId)));
      if (outcome.ok) {
        const position = new shared.AllStreamPosition().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position));
        resp.setSuccess(new BatchAppendResp.Success().setCurrentRevision(String(outcome.revision)).setPosition(position));
      } else {
        const wrong = new shared.WrongExpectedVersion();
        if (outcome.current < 0) wrong.setCurrentNoStream(new Empty());
        else wrong.setCurrentStreamRevision(String(outcome.current));
        if (entry.expected >= 0) wrong.setExpectedStreamPosition(String(entry.expected));
        else if (entry.expected === -1) wrong.setExpectedNoStream(new Empty());
        else if (entry.expected === STREAM_EXISTS) wrong.setExpectedStreamExists(new Empty());
        else wrong.setExpectedAny(new Empty());
        const details = new Any();
        details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
        resp.setError(new Status().setCode(9).setMessage('WrongExpectedVersion').setDetails(details));
      }
      call.write(resp);
    });
    call.on('end', () => call.end());
  }

  private onRead(call: GrpcModule.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions()!;
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const send = (event: StoredEvent) => call.write(new ReadResp().setEvent(toReadEvent(event, structuredIds)));
    const stream = options.getStream();
    if (stream) {
      const streamId = Buffer.from(stream.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      const events = this.streams.get(streamId);
      if (!events) {
        call.write(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(stream.getStreamIdentifier())));
        return void call.end();
      }
      const from = stream.hasRevision() ? Number(stream.getRevision()) : stream.hasEnd() ? events.length - 1 : forwards ? 0 : events.length - 1;
      const selected = forwards ? events.filter((e) => e.revision >= from) : events.filter((e) => e.revision <= from).reverse();
      selected.slice(0, count).forEach(send);
      return void call.end();
    }
    const all = options.getAll()!;
    const filter = toFilter(options);
    const at = all.hasPosition() ? Number(all.getPosition()!.getCommitPosition()) : undefined;
    if (at !== undefined && at !== this.end && !this.recordStarts.has(at)) {
      // What KurrentDB answers for a position inside a log record (ReadAllResult.InvalidPosition).
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'Trying to read from an invalid position.' });
      return;
    }
    if (options.hasSubscription()) return this.subscribe(call, filter, at ?? (all.hasEnd() ? this.end : -1), structuredIds);
    const start = at ?? (all.hasEnd() ? this.end : forwards ? 0 : this.end);
    const selected = forwards ? this.log.filter((e) => e.position >= start) : this.log.filter((e) => e.position < start).reverse();
    selected.filter(filter).slice(0, count).forEach(send);
    call.end();
  }

  private subscribe(call: GrpcModule.ServerWritableStream<ReadReq, ReadResp>, filter: Filter, after: number, structuredIds: boolean): void {
    call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID())));
    for (const event of this.log) if (event.position > after && filter(event)) call.write(new ReadResp().setEvent(toReadEvent(event, structuredIds)));
    const checkpoint = new ReadResp.Checkpoint().setCommitPosition(String(this.end)).setPreparePosition(String(this.end));
    call.write(new ReadResp().setCheckpoint(checkpoint));
    call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    const subscriber: Subscriber = { call, filter, structuredIds };
    this.subscribers.add(subscriber);
    call.on('cancelled', () => this.subscribers.delete(subscriber));
  }

  /** IndexWriter.CheckCommit, reduced to one node that knows every event id. */
  private append(streamId: string, expected: Expected, proposed: Proposed[]): AppendOutcome {
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length - 1;
    const ids = proposed.map((p) => p.id.toLowerCase());
    if (expected === STREAM_EXISTS && current < 0) return { ok: false, current };
    if (expected === ANY || expected === STREAM_EXISTS) {
      const found = ids.map((id) => stream.find((e) => e.id.toLowerCase() === id));
      if (found[0] && found.every(Boolean)) return { ok: true, revision: found[found.length - 1]!.revision, position: found[found.length - 1]!.position };
      if (found[0]) return { ok: false, current };
    } else if (expected < current) {
      const matches = ids.map((id, i) => stream[expected + 1 + i]?.id.toLowerCase() === id);
      if (ids.length === 0 || !matches.every(Boolean)) return { ok: false, current };
      const last = stream[expected + ids.length];
      return { ok: true, revision: last.revision, position: last.position };
    } else if (expected > current) {
      return { ok: false, current };
    }
    const written = this.write(streamId, proposed);
    return written.length > 0 ? { ok: true, revision: written[written.length - 1].revision, position: written[written.length - 1].position } : { ok: true, revision: current, position: this.end };
  }

  private write(streamId: string, proposed: Proposed[]): StoredEvent[] {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const written = proposed.map((p) => {
      const event: StoredEvent = { ...p, streamId, revision: stream.length, position: this.end };
      stream.push(event);
      this.log.push(event);
      this.recordStarts.add(this.end);
      // Records are as long as their content, so positions are byte offsets with irregular gaps.
      this.end += 80 + Buffer.byteLength(streamId) + p.type.length + p.data.length + p.metadata.length;
      return event;
    });
    for (const subscriber of this.subscribers) {
      for (const event of written) if (subscriber.filter(event)) subscriber.call.write(new ReadResp().setEvent(toReadEvent(event, subscriber.structuredIds)));
    }
    return written;
  }
}

function toProposed(message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): Proposed {
  const metadata = message.getMetadataMap();
  return {
    id: uuidOf(message.getId()!),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

function toFilter(options: ReadReq.Options): Filter {
  const filter = options.getFilter();
  if (!filter) return () => true;
  const byStream = filter.hasStreamIdentifier();
  const expression = byStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : null;
  return (event) => {
    const value = byStream ? event.streamId : event.type;
    return regex ? regex.test(value) : prefixes.some((p) => value.startsWith(p));
  };
}

function toReadEvent(event: StoredEvent, structuredIds: boolean): ReadResp.ReadEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(event.id, structuredIds))
    .setStreamIdentifier(new shared.StreamIdentifier().setStreamName(Buffer.from(event.streamId)))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  const map = recorded.getMetadataMap();
  map.set('type', event.type);
  map.set('content-type', event.contentType);
  map.set('created', String(TICKS_AT_EPOCH + BigInt(Date.now()) * 10_000n));
  return new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position));
}

function uuidOf(uuid: shared.UUID): string {
  if (!uuid.hasStructured()) return uuid.getString();
  const hex = (bits: string) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
  const [ms, ls] = [hex(uuid.getStructured()!.getMostSignificantBits()), hex(uuid.getStructured()!.getLeastSignificantBits())];
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-${ms.slice(12)}-${ls.slice(0, 4)}-${ls.slice(4)}`;
}

function toUuid(id: string, structured: boolean): shared.UUID {
  if (!structured) return new shared.UUID().setString(id);
  const hex = id.replace(/-/g, '');
  const signed = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return new shared.UUID().setStructured(new shared.UUID.Structured().setMostSignificantBits(signed(hex.slice(0, 16))).setLeastSignificantBits(signed(hex.slice(16))));
}
