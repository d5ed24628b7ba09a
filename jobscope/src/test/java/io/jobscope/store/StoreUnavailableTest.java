package io.jobscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jobscope.testing.Stores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which failures of a real store mean "cannot be used just now" (503) rather than a bug (500). */
class StoreUnavailableTest {
    @TempDir
    Path tmp;

    @Test
    void sqliteLockedByAnotherWriterPastItsTimeoutIsUnavailable() throws Exception {
        try (Database db = Stores.sqlite(tmp);
                Connection holder = db.dataSource().getConnection();
                Statement hold = holder.createStatement();
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + db.location());
                Statement write = other.createStatement()) {
            holder.setAutoCommit(false);
            hold.execute("CREATE TABLE lock_holder(a)"); // holds the write lock until rolled back
            write.execute("PRAGMA busy_timeout = 0"); // gives up at once, as the store's own do after 30 s

            Throwable busy = catchThrowable(() -> write.execute("CREATE TABLE waiting(a)"));

            assertThat(db.unavailableReason(busy)).startsWith("the store is busy");
            holder.rollback();
        }
    }

    @Test
    void aClosedStoreIsUnavailableAndItsCheckSaysWhy() {
        Database db = Stores.sqlite(tmp);
        db.close();

        Throwable closed = catchThrowable(() -> db.jdbi()
                .withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()));

        assertThat(db.unavailableReason(closed)).startsWith("the store cannot be used: ");
        assertThat(db.check(Duration.ofSeconds(2))).startsWith("the store cannot be used: ");
    }

    @Test
    void aStoreThatAnswersIsFineAndAMistakeInSqlIsNotUnavailable() {
        try (Database db = Stores.sqlite(tmp)) {
            Throwable bug = catchThrowable(() -> db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT nope FROM nowhere")
                            .mapTo(Integer.class)
                            .one()));

            assertThat(db.check(Duration.ofSeconds(2))).isNull();
            assertThat(bug).isNotNull();
            assertThat(db.unavailableReason(bug)).isNull();
        }
    }
}
