package io.jobscope.store;

/** The small seam between SQLite and PostgreSQL; everything else is shared SQL. */
public enum Dialect {
    SQLITE,
    POSTGRES
}
