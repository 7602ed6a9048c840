import java.io.File;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.MongoDatabaseHandler;
import de.bwaldvogel.mongo.wire.MongoExceptionHandler;
import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Local MongoDB-wire-compatible test server: mongo-java-server's wire protocol
 * handlers and its H2 MVStore backend (data kept in one file on disk), started
 * from our own Netty bootstrap so that a small filter can sit in front of them.
 *
 * Configuration (environment variables; infra/mongo.sh sets them):
 *   MONGO_HOST            bind address                     (default 127.0.0.1)
 *   MONGO_PORT            port                             (default 27017)
 *   MONGO_DATA_FILE       MVStore file                     (required)
 *   MONGO_SERVER_VERSION  version reported by buildInfo    (default 4.4.0)
 *   MONGO_WIRE_VERSION    maxWireVersion reported by hello (default 9; the
 *                         Node driver mongodb@7 needs >= 9, i.e. MongoDB 4.4)
 *   MONGO_COMMIT          "write": the reply to a command that changed data
 *                         is sent only after an MVStore commit that covers it
 *                         (survives kill -9); concurrent writes share one
 *                         commit (group commit). "interval": replies at once,
 *                         only H2's own background commit (~1 s)  (default write)
 *   MONGO_OPLOG           "1" enables mongo-java-server's oplog (needed for
 *                         change streams; costs an extra write per change)
 *   MONGO_SESSIONS        "0" stops advertising logical sessions (default 1:
 *                         drivers may use explicit sessions, not transactions)
 *   MONGO_RETENTION_MS    MVStore retention time: free space is reused after it
 *                         (default 5000; H2's default is 45000)
 *   MONGO_COMPACT_ON_CLOSE_MS  time spent compacting the file on a clean
 *                         shutdown (default 3000; 0 = none)
 *   MONGO_THREADS         Netty worker threads (default 4)
 *   MONGO_VALUE_FORMAT    "bson": documents are stored as BSON; "java": as H2's
 *                         Java serialisation, the format of launchers before the
 *                         BSON one (which still reads it)           (default bson)
 *   MONGO_CACHE_MB        MVStore page cache (default 32; H2's default is 16).
 *                         A page read from the file deserialises every document
 *                         in it, so a cache smaller than the working set makes
 *                         lookups by _id read and deserialise whole pages; a
 *                         larger one keeps replaced pages longer, until they
 *                         reach the old generation and cost full collections
 *
 * A SIGTERM (or Ctrl-C) closes the server and the MVStore cleanly.
 */
public final class MongoLauncher {

    private static final int OP_MSG = 2013;
    private static final int MORE_TO_COME = 1 << 1;

    /** Reported server version; mongo-java-server's own enum stops at 5.0/wire 8. */
    record ReportedVersion(List<Integer> versionArray, int wireVersion) implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }

        static ReportedVersion parse(String version, int wireVersion) {
            List<Integer> parts = new ArrayList<>();
            for (String part : version.split("\\.")) {
                parts.add(Integer.parseInt(part.trim()));
            }
            while (parts.size() < 3) {
                parts.add(0);
            }
            return new ReportedVersion(List.copyOf(parts), wireVersion);
        }
    }

    /**
     * mongo-java-server only uses an index when the filter's fields are exactly the
     * index's fields, so `{ _id: X, revision: { $lt: n } }` (the projector's
     * revision-guarded replace) scans the whole collection, while MongoDB answers it
     * from the `_id` index. This collection looks such filters up by `_id` first
     * and applies the whole filter to that one document; every other filter takes
     * the library's own path. Same results, without the scan.
     */
    static final class IdLookupH2Collection extends H2Collection {
        IdLookupH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                             MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap,
                             CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        private static boolean isPlainId(Object id) {
            return id instanceof String || id instanceof Number || id instanceof ObjectId;
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            Object id = query.get("_id");
            if (query.size() > 1 && isPlainId(id)) {
                QueryResult byId = super.queryDocuments(new Document("_id", id), null, 0, 0, 0, null);
                return matchDocumentsFromStream(StreamSupport.stream(byId.spliterator(), false), query, orderBy,
                    numberToSkip, limit, batchSize, fieldSelector);
            }
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
    }

    /**
     * Unique index held in memory (a hash map on the key values, like mongo-java-server's
     * memory backend) instead of in an MVStore map. The H2 backend's index maps order their
     * keys by comparing Java-serialised copies of them, so every lookup serialised objects
     * and profiling showed ~40% of the server's CPU there. The index is built from the
     * documents when the collection opens (mongo-java-server fills an empty index that way),
     * so it always matches the committed data, also after kill -9.
     */
    static final class InMemoryUniqueIndex extends AbstractUniqueIndex<Object> {
        private final Map<KeyValue, Object> positions = new ConcurrentHashMap<>();

        InMemoryUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
        }

        @Override
        protected Object removeDocument(KeyValue keyValue) {
            return positions.remove(keyValue);
        }

        @Override
        protected boolean putKeyPosition(KeyValue keyValue, Object position) {
            return positions.putIfAbsent(keyValue, Missing.ofNullable(position)) == null;
        }

        @Override
        protected Iterable<Entry<KeyValue, Object>> getIterable() {
            return positions.entrySet();
        }

        @Override
        protected Object getPosition(KeyValue keyValue) {
            return positions.get(keyValue);
        }

        @Override
        public long getCount() {
            return positions.size();
        }

        @Override
        public boolean isEmpty() {
            return positions.isEmpty();
        }

        @Override
        public long getDataSize() {
            return getCount();
        }
    }

    /**
     * Documents stored as BSON (a marker byte, the length, the bytes) instead of H2's default, which
     * Java-serialises the Document map: a profile of the pipeline bench showed that serialisation as
     * the biggest cost of each commit, and of each page read back. Values written by earlier
     * launchers (tagged by H2's ObjectDataType, whose tags stay below 120) are still read, and are
     * written back as BSON when they change, so an existing data file needs no migration step.
     */
    static final class BsonDocumentType extends BasicDataType<Document> {
        static final BsonDocumentType INSTANCE = new BsonDocumentType();
        private static final byte MARKER = (byte) 0xB5;
        /** MONGO_VALUE_FORMAT=java: write as earlier launchers did (for a file they must read again). */
        static volatile boolean writeJava = false;
        /** Page sizes are estimated from this (H2's own estimate for serialised objects is a running average too). */
        private static final int ESTIMATED_BYTES = 1024;
        private final ObjectDataType legacy = new ObjectDataType();

        @Override
        public int getMemory(Document document) {
            return ESTIMATED_BYTES;
        }

        @Override
        public void write(WriteBuffer buffer, Document document) {
            if (writeJava) {
                legacy.write(buffer, document);
                return;
            }
            ByteBuf bson = Unpooled.buffer(ESTIMATED_BYTES);
            try {
                BsonEncoder.encodeDocument(document, bson);
                int length = bson.readableBytes();
                buffer.put(MARKER).putVarInt(length).put(bson.array(), bson.arrayOffset() + bson.readerIndex(), length);
            } finally {
                bson.release();
            }
        }

        @Override
        public Document read(ByteBuffer buffer) {
            if (buffer.get(buffer.position()) != MARKER) {
                return (Document) legacy.read(buffer);
            }
            buffer.get();
            int length = DataUtils.readVarInt(buffer);
            ByteBuffer bson = buffer.slice();
            bson.limit(length);
            buffer.position(buffer.position() + length);
            return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
        }

        /** Values are never ordered, only compared for equality (MVMap's conditional replace). */
        @Override
        public int compare(Document a, Document b) {
            return a.equals(b) ? 0 : 1;
        }

        @Override
        public Document[] createStorage(int size) {
            return new Document[size];
        }
    }

    /**
     * H2 database whose collections are {@link IdLookupH2Collection}s and whose unique
     * indexes are {@link InMemoryUniqueIndex}es (index maps left by earlier launcher
     * versions in a data file are not read).
     */
    static final class IdLookupH2Database extends H2Database {
        IdLookupH2Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, DurableH2Backend.store, cursorRegistry);
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // mirrors H2Database.openOrCreateCollection (same map names), with the subclass
            String fullCollectionName = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> dataMap = DurableH2Backend.store.openMap("databases." + fullCollectionName,
                new MVMap.Builder<Object, Document>().valueType(BsonDocumentType.INSTANCE));
            MVMap<String, Object> metaMap = DurableH2Backend.store.openMap("meta." + fullCollectionName);
            return new IdLookupH2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                        boolean sparse) {
            return new InMemoryUniqueIndex(indexName, keys, sparse);
        }
    }

    /**
     * H2 backend with a few additions for current drivers:
     * answers "hello", advertises logical sessions (so drivers allow explicit
     * sessions), accepts the session bookkeeping commands, rejects
     * transactions and change streams with the same errors a standalone
     * mongod gives (instead of silently running them non-atomically), and
     * can commit the MVStore after every mutating command.
     */
    static final class DurableH2Backend extends H2Backend {
        private final boolean commitEachWrite;
        private static final Set<String> MUTATING = Set.of("insert", "update", "delete", "findandmodify", "create",
            "createindexes", "dropindexes", "deleteindexes", "drop", "dropdatabase", "renamecollection");
        private final boolean sessions;
        private final boolean oplog;
        private final int compactOnCloseMillis;

        /**
         * The one store of this process. Set before H2Backend's constructor runs, because
         * that constructor already opens the existing databases (and their collections).
         */
        static volatile MVStore store;

        private static MVStore remember(MVStore mvStore) {
            store = mvStore;
            return mvStore;
        }

        DurableH2Backend(MVStore store, boolean commitEachWrite, boolean sessions, boolean oplog,
                         int compactOnCloseMillis) {
            super(remember(store));
            this.commitEachWrite = commitEachWrite;
            this.sessions = sessions;
            this.oplog = oplog;
            this.compactOnCloseMillis = compactOnCloseMillis;
        }

        /**
         * MVStore appends a chunk per commit; with a commit per write the file grows
         * quickly, so free space is reused sooner (short retention) and the file is
         * compacted on a clean shutdown.
         */
        static MVStore openStore(String fileName, int retentionMillis, int cacheMegabytes) {
            MVStore store = new MVStore.Builder().fileName(fileName).cacheSize(cacheMegabytes).open();
            store.setRetentionTime(retentionMillis);
            return store;
        }

        private static Document error(int code, String codeName, String message) {
            Document reply = new Document("ok", 0.0);
            reply.put("errmsg", message);
            reply.put("code", code);
            reply.put("codeName", codeName);
            return reply;
        }

        private Document helloReply(Channel channel, String databaseName, Document query) {
            Document reply = super.handleCommand(channel, databaseName, "ismaster", query);
            reply.put("isWritablePrimary", Boolean.TRUE);
            if (sessions) {
                reply.put("logicalSessionTimeoutMinutes", 30);
            }
            return reply;
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if (command.equalsIgnoreCase("hello") || command.equalsIgnoreCase("ismaster")) {
                // mongo-java-server itself only knows the legacy "isMaster"
                return helloReply(channel, databaseName, query);
            }
            if (command.equalsIgnoreCase("endSessions") || command.equalsIgnoreCase("refreshSessions")
                || command.equalsIgnoreCase("killSessions") || command.equalsIgnoreCase("killAllSessions")) {
                return new Document("ok", 1.0);
            }
            if (query.containsKey("startTransaction") || query.containsKey("autocommit")
                || query.containsKey("txnNumber") || command.equalsIgnoreCase("commitTransaction")
                || command.equalsIgnoreCase("abortTransaction")) {
                return error(20, "IllegalOperation",
                    "Transaction numbers are only allowed on a replica set member or mongos"
                        + " (mongo-java-server test server: no transactions)");
            }
            if (!oplog && command.equalsIgnoreCase("aggregate") && query.get("pipeline") instanceof List<?> pipeline
                && !pipeline.isEmpty() && pipeline.get(0) instanceof Document first
                && first.containsKey("$changeStream")) {
                return error(40573, "Location40573",
                    "The $changeStream stage is only supported on replica sets"
                        + " (mongo-java-server test server: start it with MONGO_OPLOG=1)");
            }
            Document reply = super.handleCommand(channel, databaseName, command, query);
            if (commitEachWrite && MUTATING.contains(command.toLowerCase(Locale.ROOT)) && getMvStore().hasUnsavedChanges()) {
                // the reply is written right after this returns, on this thread: ReplyGate holds it for the commit
                GroupCommitter.HOLD_NEXT_REPLY.set(Boolean.TRUE);
            }
            return reply;
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IdLookupH2Database(databaseName, getCursorRegistry());
        }

        @Override
        public void close() {
            MVStore store = getMvStore();
            if (!store.isClosed() && compactOnCloseMillis > 0) {
                try {
                    store.commit();
                    store.compactFile(compactOnCloseMillis);
                } catch (RuntimeException e) {
                    System.out.println("[launcher] compaction on close failed: " + e);
                }
            }
            super.close();
        }
    }

    /**
     * Group commit: one thread commits the MVStore and then releases the replies that
     * were waiting for it. A commit covers every write applied before it starts, so
     * writes that arrive while one commit runs all share the next one. The guarantee
     * is the same as a commit per write (no reply before the data is on disk), for far
     * fewer commits; each commit re-serialises every page changed since the last one.
     */
    static final class GroupCommitter implements Runnable {
        /** Set by the backend on the event-loop thread for the reply written next on it. */
        static final ThreadLocal<Boolean> HOLD_NEXT_REPLY = new ThreadLocal<>();

        /** {@code written} runs on the channel's event loop right after the reply was passed on. */
        private record Held(ChannelHandlerContext ctx, Object reply, ChannelPromise promise, Runnable written) {}

        private final MVStore store;
        private final List<Held> waiting = new ArrayList<>();
        private boolean requested;

        GroupCommitter(MVStore store) {
            this.store = store;
        }

        synchronized void hold(ChannelHandlerContext ctx, Object reply, ChannelPromise promise, Runnable written) {
            waiting.add(new Held(ctx, reply, promise, written));
            notifyAll();
        }

        /** A write nobody waits for (w:0): committed with the next group. */
        synchronized void request() {
            requested = true;
            notifyAll();
        }

        @Override
        public void run() {
            while (true) {
                List<Held> group;
                synchronized (this) {
                    while (waiting.isEmpty() && !requested) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    group = new ArrayList<>(waiting);
                    waiting.clear();
                    requested = false;
                }
                RuntimeException failure = null;
                try {
                    if (!store.isClosed() && store.hasUnsavedChanges()) {
                        store.commit();
                    }
                } catch (RuntimeException e) {
                    failure = e;
                    System.out.println("[launcher] commit failed, closing the connections waiting for it: " + e);
                }
                for (Held held : group) {
                    if (failure == null) {
                        held.ctx().executor().execute(() -> {
                            held.ctx().writeAndFlush(held.reply(), held.promise());
                            held.written().run();
                        });
                    } else {
                        ReferenceCountUtil.release(held.reply());
                        held.promise().setFailure(failure);
                        held.ctx().close();
                    }
                }
            }
        }
    }

    /**
     * mongo-java-server rejects OP_MSG messages flagged moreToCome (the client
     * expects no reply): the Node driver sends endSessions that way when it
     * closes, and every write with writeConcern w:0. This handler sees whole
     * frames, clears the flag so the message is executed normally, and drops
     * the reply to it on the way out. It is also the gate of the group commit: the
     * reply to a command that changed data goes to the {@link GroupCommitter} and is
     * passed on after the commit. One instance per connection (one thread).
     */
    static final class MoreToComeFilter extends ChannelDuplexHandler {
        private final Set<Integer> silencedRequestIds = new HashSet<>();
        private final GroupCommitter committer;
        /** Replies of this connection handed to the committer and not yet passed on (event-loop thread only). */
        private int heldReplies;

        MoreToComeFilter(GroupCommitter committer) {
            this.committer = committer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf frame && frame.readableBytes() >= 20) {
                int start = frame.readerIndex();
                int opCode = frame.getIntLE(start + 12);
                if (opCode == OP_MSG) {
                    int flags = frame.getIntLE(start + 16);
                    if ((flags & MORE_TO_COME) != 0) {
                        frame.setIntLE(start + 16, flags & ~MORE_TO_COME);
                        silencedRequestIds.add(frame.getIntLE(start + 4));
                    }
                }
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            boolean hold = GroupCommitter.HOLD_NEXT_REPLY.get() != null;
            GroupCommitter.HOLD_NEXT_REPLY.remove();
            if (!silencedRequestIds.isEmpty() && msg instanceof ByteBuf reply && reply.readableBytes() >= 16) {
                int responseTo = reply.getIntLE(reply.readerIndex() + 8);
                if (silencedRequestIds.remove(responseTo)) {
                    reply.release();
                    promise.setSuccess();
                    if (hold) {
                        committer.request();
                    }
                    return;
                }
            }
            if (hold || heldReplies > 0) {
                // later replies of this connection queue behind a held one, so replies keep their order
                heldReplies++;
                committer.hold(ctx, msg, promise, () -> heldReplies--);
                return;
            }
            super.write(ctx, msg, promise);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public static void main(String[] args) throws Exception {
        String host = env("MONGO_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("MONGO_PORT", "27017"));
        String dataFile = env("MONGO_DATA_FILE", null);
        if (dataFile == null) {
            System.err.println("MONGO_DATA_FILE is required");
            System.exit(2);
        }
        File parent = new File(dataFile).getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            System.err.println("cannot create " + parent);
            System.exit(2);
        }
        ReportedVersion version = ReportedVersion.parse(
            env("MONGO_SERVER_VERSION", "4.4.0"),
            Integer.parseInt(env("MONGO_WIRE_VERSION", "9")));
        boolean commitEachWrite = !"interval".equalsIgnoreCase(env("MONGO_COMMIT", "write"));
        boolean oplog = "1".equals(env("MONGO_OPLOG", "0")) || "true".equalsIgnoreCase(env("MONGO_OPLOG", ""));
        boolean sessions = !"0".equals(env("MONGO_SESSIONS", "1"));
        int retentionMillis = Integer.parseInt(env("MONGO_RETENTION_MS", "5000"));
        int compactMillis = Integer.parseInt(env("MONGO_COMPACT_ON_CLOSE_MS", "3000"));
        int threads = Integer.parseInt(env("MONGO_THREADS", "4"));
        int cacheMegabytes = Integer.parseInt(env("MONGO_CACHE_MB", "32"));
        String valueFormat = env("MONGO_VALUE_FORMAT", "bson");
        if (!valueFormat.equals("bson") && !valueFormat.equals("java")) {
            throw new IllegalArgumentException("MONGO_VALUE_FORMAT must be bson or java, not " + valueFormat);
        }
        BsonDocumentType.writeJava = valueFormat.equals("java");

        DurableH2Backend backend = new DurableH2Backend(
            DurableH2Backend.openStore(dataFile, retentionMillis, cacheMegabytes), commitEachWrite, sessions, oplog, compactMillis);
        backend.version(version);
        if (oplog) {
            backend.enableOplog();
        }

        GroupCommitter committer = new GroupCommitter(backend.getMvStore());
        Thread commitThread = new Thread(committer, "mongo-group-commit");
        commitThread.setDaemon(true);
        commitThread.start();

        EventLoopGroup bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workerGroup = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        ChannelGroup clients = new DefaultChannelGroup("mongo-clients", workerGroup.next());

        Channel serverChannel;
        try {
            serverChannel = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, Boolean.TRUE)
                .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                            // whole wire messages: int32 little-endian length that includes itself
                            .addLast(new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN,
                                MongoWireProtocolHandler.MAX_MESSAGE_SIZE_BYTES, 0, 4, -4, 0, true))
                            .addLast(new MoreToComeFilter(committer))
                            .addLast(new MongoWireReplyEncoder())
                            .addLast(new MongoWireMessageEncoder())
                            .addLast(new MongoWireProtocolHandler())
                            .addLast(new MongoDatabaseHandler(backend, clients))
                            .addLast(new MongoExceptionHandler());
                    }
                })
                .bind(new InetSocketAddress(host, port))
                .syncUninterruptibly()
                .channel();
        } catch (RuntimeException e) {
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            backend.close();
            throw e;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[launcher] shutting down, closing " + dataFile);
            try {
                serverChannel.close().syncUninterruptibly();
                clients.close().syncUninterruptibly();
                bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
                workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
                commitThread.interrupt();
                backend.close(); // commits, compacts and closes the MVStore
            } catch (RuntimeException e) {
                e.printStackTrace();
            }
            System.out.println("[launcher] stopped");
            System.out.flush();
            stopped.countDown();
        }, "mongo-launcher-shutdown"));

        System.out.println("[launcher] mongo-java-server listening on " + host + ":" + port
            + " data=" + dataFile + " version=" + version.toVersionString()
            + " maxWireVersion=" + version.getWireVersion()
            + " commit=" + (commitEachWrite ? "write (group commit before the reply)" : "interval")
            + " oplog=" + oplog + " sessions=" + sessions + " cache=" + cacheMegabytes + "MB values=" + valueFormat);
        System.out.flush();
        stopped.await();
    }
}
