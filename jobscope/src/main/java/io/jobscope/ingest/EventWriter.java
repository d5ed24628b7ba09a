package io.jobscope.ingest;

import io.jobscope.store.Database;
import io.jobscope.store.Dialect;
import io.jobscope.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of the store. Callers submit validated events; a writer thread groups what is waiting into
 * transactions of up to {@code maxBatch} events, and a submission's future completes only after every
 * transaction holding its events has committed (the acknowledgement).
 *
 * <p>SQLite has one writer thread (the store allows one writer at a time). PostgreSQL has several ({@link
 * #lanes()}), each on its own connection: a job's events always go to the same one (by the hash
 * of the job id), so each job's row is still folded by one thread at a time, while the server works on
 * several transactions at once. Writers of several processes on one PostgreSQL take turns per job through
 * advisory locks ({@link BatchStore#write}).
 */
public final class EventWriter implements AutoCloseable, EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);

    /** What became of a submission's events: newly stored, or already stored under the same id. */
    public record Result(long accepted, long duplicates) {
        public static final Result EMPTY = new Result(0, 0);

        public Result plus(Result o) {
            return new Result(accepted + o.accepted, duplicates + o.duplicates);
        }
    }

    private record Submission(List<IngestEvent> events, CompletableFuture<Result> done) {}

    /** A written submission waiting for its transaction's commit; its events kept only for listeners. */
    private record Written(List<IngestEvent> events, CompletableFuture<Result> done, Result result) {}

    /**
     * Told, on a writer thread and after the commit, of each batch's events; must return quickly, and be safe to
     * call from several threads at once (PostgreSQL's lanes).
     */
    @FunctionalInterface
    public interface CommitListener {
        void committed(List<IngestEvent> events);
    }

    private final List<CommitListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** How long a bulk writer waits for more events before committing what it has written. */
    private static final long IDLE_COMMIT_MS = 50;

    private static final Submission POISON = new Submission(List.of(), new CompletableFuture<>());

    private final Database db;
    /** One per writer thread: SQLite's only, or PostgreSQL's (a job's events always go to the same one). */
    private final Lane[] lanes;

    private static final long WAL_CHECKPOINT_BYTES = Long.getLong("jobscope.walCheckpointBytes", 256L << 20);
    private final long walCheckpointBytes;
    /** How many job rows a server's SQLite writer remembers (see {@link JobCache}). */
    private static final int CACHED_JOBS = Integer.getInteger("jobscope.writerJobCache", 50_000);

    /** How long the writer's PostgreSQL connection may sit idle before it is checked before use. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final long WRITER_CACHE_KIB = Long.getLong("jobscope.writerCacheKib", 256L * 1024);
    /**
     * PostgreSQL's writer threads at most, each with a transaction of its own ({@code -Djobscope.postgresWriters};
     * four measured no faster than two on two cores).
     */
    private static final int POSTGRES_LANES = Math.max(1, Integer.getInteger("jobscope.postgresWriters", 2));

    private final ScheduledExecutorService checkpointer;
    private volatile long lastCheckpointNanos;

    private volatile boolean closed;
    /** Held to queue a submission (shared) and to close (exclusive): nothing is queued behind a lane's end. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock closing =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** Transactions the store aborted as deadlocks and the writer wrote again. */
    private final java.util.concurrent.atomic.AtomicLong rewritten = new java.util.concurrent.atomic.AtomicLong();

    public EventWriter(Database db, int maxBatch) {
        this(db, maxBatch, 0, 256, CACHED_JOBS, WAL_CHECKPOINT_BYTES);
    }

    /** A writer that remembers at most {@code cachedJobs} unfinished jobs' rows (tests make it forget). */
    static EventWriter remembering(Database db, int cachedJobs) {
        return new EventWriter(db, 20_000, 0, 256, cachedJobs, WAL_CHECKPOINT_BYTES);
    }

    /** A server's writer that checkpoints the SQLite log once it has grown past {@code walCheckpointBytes}. */
    EventWriter(Database db, long walCheckpointBytes) {
        this(db, 20_000, 0, 256, CACHED_JOBS, walCheckpointBytes);
    }

    private EventWriter(
            Database db, int maxBatch, int commitEvery, int queueCapacity, int cachedJobs, long walCheckpointBytes) {
        this.db = db;
        this.walCheckpointBytes = walCheckpointBytes;
        // A bulk writer keeps its transaction open across groups: lanes would wait for each other's commits on
        // the rows they share (the statistics rollup), so an import has one.
        // Each lane holds a connection: a quarter of the pool at most, so readers keep the rest (a server's pool
        // of 8 gets two lanes; a command's pool of 2, one).
        this.lanes = new Lane
                [db.dialect() == Dialect.POSTGRES && commitEvery == 0
                        ? Math.max(1, Math.min(POSTGRES_LANES, db.maxConnections() / 4))
                        : 1];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(
                    lanes.length == 1 ? "jobscope-writer" : "jobscope-writer-" + i,
                    new BatchStore(db.dialect(), cachedJobs, commitEvery > 0),
                    maxBatch,
                    commitEvery,
                    queueCapacity);
        }
        if (db.dialect() == Dialect.SQLITE) {
            checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jobscope-checkpoint");
                t.setDaemon(true);
                return t;
            });
            checkpointer.scheduleWithFixedDelay(this::maybeCheckpoint, 1, 1, TimeUnit.SECONDS);
        } else {
            checkpointer = null;
        }
    }

    /**
     * Copies the SQLite write-ahead log into the database file when the log file is larger than {@link
     * #walCheckpointBytes} and the writer committed since the last time (PASSIVE, which never blocks the
     * writer; the writer then restarts the log, see {@link #restartLog(Connection)}), or once the writer has been idle for
     * a second with anything in the log (TRUNCATE). Rare, large checkpoints write a page once however often a
     * batch touched it; during a burst of ingest that halves the writer's work. Failures are logged and
     * retried on the next tick.
     */
    void maybeCheckpoint() {
        Lane lane = lanes[0]; // SQLite has one
        long wal = walBytes();
        // Idle: nothing written for a second, not merely no commit (a bulk writer's transaction is long).
        boolean idle =
                lane.uncommittedEvents == 0 && System.nanoTime() - lane.lastWriteNanos > TimeUnit.SECONDS.toNanos(1);
        if (idle && wal > 0 && lane.lastCommitNanos > lastCheckpointNanos) {
            lastCheckpointNanos = System.nanoTime();
            checkpoint("TRUNCATE");
        } else if (wal > walCheckpointBytes && lane.lastCommitNanos > lastCheckpointNanos) {
            lastCheckpointNanos = System.nanoTime();
            // PASSIVE copies the log while the writer goes on; but a writer that never pauses keeps appending,
            // the log never starts over and grows without end (to ~1 GB in 20 s of ingest), every commit
            // extending the file. So the writer itself then restarts the log between two transactions (see
            // restartLog()): a RESTART from here would wait for the write lock, which a busy writer takes
            // back at once after every commit. An import of 1M records so keeps its log at a few hundred MB
            // instead of the size of the store (and measured 1-3 s faster).
            checkpoint("PASSIVE");
            lane.restartWanted = true;
        }
    }

    private long walBytes() {
        try {
            return java.nio.file.Files.size(java.nio.file.Path.of(db.location() + "-wal"));
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private void checkpoint(String mode) {
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(" + mode + ")");
        } catch (SQLException | RuntimeException e) {
            LOG.warn("WAL checkpoint failed (will retry): {}", e.getMessage());
        }
    }

    public EventWriter(Database db) {
        this(db, 20_000);
    }

    /**
     * A writer for bulk loads (imports): it commits once {@code commitEvery} events are written, or when
     * nothing has arrived for a moment, so each page of an index keyed at random (event and job ids) is
     * written once per large transaction instead of once per small one. Submissions block while a few
     * are waiting, which bounds the memory an import holds; futures complete at the commit as always.
     */
    public static EventWriter bulk(Database db, int commitEvery) {
        return new EventWriter(db, 5_000, commitEvery, 1, 10_000, WAL_CHECKPOINT_BYTES);
    }

    /** Queues events; the future completes once they are committed, or fails with the store's error. */
    @Override
    public CompletableFuture<Result> submit(List<IngestEvent> events) {
        closing.readLock().lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new StoreException("the writer is closed"));
            }
            return queue(events);
        } finally {
            closing.readLock().unlock();
        }
    }

    private CompletableFuture<Result> queue(List<IngestEvent> events) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(Result.EMPTY);
        }
        if (lanes.length == 1) {
            return lanes[0].submit(events);
        }
        // Each job's events to its own lane, in the order given; the submission is acknowledged once every
        // lane it went to has committed its part.
        List<List<IngestEvent>> parts = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) {
            parts.add(new ArrayList<>());
        }
        for (IngestEvent e : events) {
            int slot = BatchStore.slot(e);
            parts.get(slot < 0 ? 0 : slot % lanes.length).add(e);
        }
        List<CompletableFuture<Result>> done = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) {
            if (!parts.get(i).isEmpty()) {
                done.add(lanes[i].submit(parts.get(i)));
            }
        }
        if (done.size() == 1) {
            return done.get(0);
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenApply(none -> {
            Result sum = Result.EMPTY;
            for (CompletableFuture<Result> f : done) {
                sum = sum.plus(f.join());
            }
            return sum;
        });
    }

    /** How many writer threads this writer has (SQLite: always one). */
    int lanes() {
        return lanes.length;
    }

    /** How many transactions the store aborted as deadlocks and this writer wrote again. */
    long rewritten() {
        return rewritten.get();
    }

    /** Adds a listener told of every committed batch (for work that follows a commit, such as diagnosis). */
    public void addCommitListener(CommitListener listener) {
        listeners.add(listener);
    }

    /** Submits and waits for the commit. */
    public Result write(List<IngestEvent> events) {
        try {
            return submit(events).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** One writer thread: its queue, its connection, and the transaction it has open. */
    private final class Lane {
        private final BatchStore store;
        private final int maxBatch;
        private final int commitEvery;
        private final List<Written> uncommitted = new ArrayList<>();
        private volatile long uncommittedEvents;
        private final BlockingQueue<Submission> queue;
        private final Thread thread;
        private volatile long lastCommitNanos;
        private volatile long lastWriteNanos;
        private Connection connection; // this lane's thread's only
        /** Set by the checkpointer after a PASSIVE pass: the writer restarts the log between two transactions. */
        private volatile boolean restartWanted;

        Lane(String name, BatchStore store, int maxBatch, int commitEvery, int queueCapacity) {
            this.store = store;
            this.maxBatch = maxBatch;
            this.commitEvery = commitEvery;
            this.queue = new ArrayBlockingQueue<>(queueCapacity);
            this.thread = new Thread(this::loop, name);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        CompletableFuture<Result> submit(List<IngestEvent> events) {
            Submission s = new Submission(events, new CompletableFuture<>());
            try {
                queue.put(s);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(e);
            }
            return s.done;
        }

        private void loop() {
            List<Submission> group = new ArrayList<>();
            while (true) {
                Submission first;
                try {
                    first = uncommitted.isEmpty() ? queue.take() : queue.poll(IDLE_COMMIT_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (first == null) {
                    commitWritten();
                    continue;
                }
                if (first == POISON) {
                    commitWritten();
                    return;
                }
                group.clear();
                group.add(first);
                int count = first.events.size();
                Submission next;
                boolean stop = false;
                while (count < maxBatch && (next = queue.peek()) != null) {
                    if (next == POISON) {
                        queue.poll();
                        stop = true;
                        break;
                    }
                    queue.poll();
                    group.add(next);
                    count += next.events.size();
                }
                writeGroup(group);
                if (stop || uncommittedEvents >= commitEvery) {
                    commitWritten();
                }
                if (stop) {
                    return;
                }
            }
        }

        /** Writes a group of submissions into the open transaction; on failure, fails everything uncommitted. */
        private void writeGroup(List<Submission> group) {
            List<List<IngestEvent>> parts = new ArrayList<>(group.size());
            for (Submission s : group) {
                parts.add(s.events);
            }
            try {
                List<Result> results = writeRetryingDeadlocks(parts);
                lastWriteNanos = System.nanoTime();
                boolean keep = !listeners.isEmpty();
                for (int i = 0; i < group.size(); i++) {
                    Submission s = group.get(i);
                    uncommitted.add(new Written(keep ? s.events : List.of(), s.done, results.get(i)));
                    uncommittedEvents += s.events.size();
                }
            } catch (SQLException | RuntimeException | Error e) {
                for (Submission s : group) {
                    uncommitted.add(new Written(List.of(), s.done, null));
                }
                fail(e);
            }
        }

        /**
         * PostgreSQL: lanes lock the rows they share (the statistics rollup, workflows) in one order, but a
         * client that sends one event id under two jobs, or another process's transaction, can still make two
         * of them wait for each other; the server then aborts one. A group in a transaction of its own is
         * written again, a few times, rather than failed.
         */
        private List<Result> writeRetryingDeadlocks(List<List<IngestEvent>> parts) throws SQLException {
            for (int attempt = 1; ; attempt++) {
                try {
                    return store.write(connection(), parts);
                } catch (SQLException e) {
                    boolean retry = uncommitted.isEmpty()
                            && attempt < 4
                            && ("40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState()));
                    if (!retry) {
                        throw e;
                    }
                    LOG.info("writing a batch again after the store aborted it ({})", e.getMessage());
                    rewritten.incrementAndGet();
                    rollback(connection);
                    store.rolledBack();
                }
            }
        }

        /** Commits the open transaction, then tells listeners and acknowledges every submission in it. */
        private void commitWritten() {
            if (uncommitted.isEmpty()) {
                return;
            }
            try {
                connection().commit();
                lastCommitNanos = System.nanoTime();
            } catch (SQLException | RuntimeException | Error e) {
                fail(e);
                return;
            }
            List<Written> done = new ArrayList<>(uncommitted);
            uncommitted.clear();
            uncommittedEvents = 0;
            // Listeners hear of the batch before its callers are acknowledged, so work that follows a commit
            // (diagnosis) is queued by the time a caller can ask for its result.
            notifyListeners(done);
            for (Written w : done) {
                w.done.complete(w.result);
            }
            if (restartWanted) {
                restartWanted = false;
                restartLog(connection);
            }
        }

        /**
         * Whatever went wrong, the transaction is rolled back, every waiting caller hears of it and the writer
         * goes on (with a fresh connection, in case this one is broken).
         */
        private void fail(Throwable e) {
            Connection c = connection;
            if (c != null) {
                rollback(c);
            }
            store.rolledBack();
            dropConnection();
            LOG.error("could not commit a batch of {} submission(s)", uncommitted.size(), e);
            StoreException failure = new StoreException("the store could not commit the events: " + e.getMessage(), e);
            for (Written w : uncommitted) {
                w.done.completeExceptionally(failure);
            }
            uncommitted.clear();
            uncommittedEvents = 0;
        }

        /**
         * The lane's own connection, kept for its lifetime: SQLite keeps its page cache per connection, and a
         * connection that did not write the last transaction must throw its cache away. One connection for
         * every write keeps the B-tree pages of the indexes hot between transactions.
         */
        private Connection connection() throws SQLException {
            if (connection != null
                    && db.dialect() == Dialect.POSTGRES
                    && uncommitted.isEmpty()
                    && System.nanoTime() - Math.max(lastWriteNanos, lastCommitNanos) > IDLE_CHECK_NANOS
                    && !connection.isValid(2)) {
                // Idle, between transactions, and gone (PostgreSQL restarted meanwhile): a new one, rather than
                // a 503 for the first events after the restart.
                LOG.info("the writer's connection to the store was lost while idle; connecting again");
                dropConnection();
            }
            if (connection == null || connection.isClosed()) {
                Connection c = db.dataSource().getConnection();
                if (db.dialect() == Dialect.SQLITE) {
                    // Checkpoints run on their own thread (below), not inside this writer's commits.
                    try (Statement st = c.createStatement()) {
                        st.execute("PRAGMA wal_autocheckpoint=0");
                        // The writer touches every index: a larger page cache than readers need keeps them hot.
                        st.execute("PRAGMA cache_size=-" + WRITER_CACHE_KIB);
                    }
                }
                c.setAutoCommit(false);
                connection = c;
            }
            return connection;
        }

        private void dropConnection() {
            Connection c = connection;
            connection = null;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    LOG.warn("closing the writer's connection failed: {}", e.getMessage());
                }
            }
        }

        /** Asks the thread to write what is queued, then stop. */
        void stop() throws InterruptedException {
            queue.put(POISON);
        }

        /** Waits for the thread to stop (until {@code deadlineNanos} at most). */
        void join(long deadlineNanos) throws InterruptedException {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            dropConnection();
        }
    }

    /**
     * Copies the little the checkpointer's PASSIVE pass left and starts the log over, so that the next
     * transactions write over the log's first pages instead of extending it. Readers still on the log make
     * it give up after a moment (a long export must not hold ingest up); the checkpointer asks again later.
     */
    private static void restartLog(Connection c) {
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("PRAGMA busy_timeout = 100");
            st.execute("PRAGMA wal_checkpoint(RESTART)");
        } catch (SQLException e) {
            LOG.warn("restarting the WAL failed (will retry): {}", e.getMessage());
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = " + Database.BUSY_TIMEOUT_MS);
                c.setAutoCommit(false);
            } catch (SQLException e) {
                LOG.warn("could not set the writer's connection back: {}", e.getMessage());
            }
        }
    }

    private void notifyListeners(List<Written> written) {
        if (listeners.isEmpty()) {
            return;
        }
        List<IngestEvent> all = new ArrayList<>();
        written.forEach(w -> all.addAll(w.events));
        for (CommitListener l : listeners) {
            try {
                l.committed(all);
            } catch (RuntimeException e) {
                LOG.error("commit listener {} failed", l, e);
            }
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.warn("rollback failed: {}", e.getMessage());
        }
    }

    /** Writes what is queued, then stops the threads. */
    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Lane lane : lanes) {
                lane.stop();
            }
            for (Lane lane : lanes) {
                lane.join(deadline);
            }
            if (checkpointer != null) {
                checkpointer.shutdown();
                checkpointer.awaitTermination(30, TimeUnit.SECONDS);
                checkpoint("TRUNCATE");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
