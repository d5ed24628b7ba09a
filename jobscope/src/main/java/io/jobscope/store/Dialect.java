package io.jobscope.store;

/** The small seam between SQLite and PostgreSQL; everything else is shared SQL. */
public enum Dialect {
    SQLITE,
    POSTGRES;

    /** How many bind parameters one statement may carry, with room to spare. */
    public int maxParameters() {
        return this == SQLITE ? 30_000 : 30_000;
    }
}
