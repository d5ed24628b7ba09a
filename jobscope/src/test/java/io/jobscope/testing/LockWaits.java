package io.jobscope.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.store.Database;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** PostgreSQL tests of who waits for whom: sessions holding locks, and work seen waiting for them. */
public final class LockWaits {
    /** Takes a lock on a connection of its own, inside a transaction left open. */
    @FunctionalInterface
    public interface Holder {
        void hold(Connection c) throws Exception;
    }

    private LockWaits() {}

    /** Until a session on the store waits for a lock (a row's or an advisory one), at most 20 s. */
    public static void awaitSessionWaitingForALock(Database db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (db.jdbi()
                        .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type ="
                                        + " 'Lock' AND datname = current_database()")
                                .mapTo(Long.class)
                                .one())
                == 0) {
            assertThat(System.nanoTime()).as("a session waiting for a lock").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * Starts {@code work} while another transaction holds what {@code holder} takes: asserts the work waits for
     * it, ends that transaction, and returns what the work then gives.
     */
    public static <T> T waitsWhileHeld(Database db, Holder holder, Supplier<CompletableFuture<T>> work)
            throws Exception {
        try (Connection other = db.dataSource().getConnection()) {
            other.setAutoCommit(false);
            holder.hold(other);
            CompletableFuture<T> done = work.get();
            awaitSessionWaitingForALock(db);
            assertThat(done).as("the work, while the lock is held").isNotDone();
            other.commit();
            return done.get(30, TimeUnit.SECONDS);
        }
    }
}
