package io.jobscope.cli;

import io.jobscope.diagnose.Classifier;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.services.ServiceBoard;
import io.jobscope.store.Database;
import java.time.Clock;

/**
 * The one construction of failure diagnosis over a store, for the server and the in-process commands alike:
 * the rule packs and plugins, and the outage records of the same store's services board, so that a verdict
 * names the outage of the implicated service whichever way it is asked for.
 */
final class Diagnoses {
    private Diagnoses() {}

    /** Diagnosis over {@code db}, asking {@code board} about outages. */
    static DiagnoseService over(Database db, ServiceBoard board, RuleBook book) {
        return new DiagnoseService(db, Classifier.standard(book), board.outageLookup());
    }

    /** Diagnosis over {@code db}, asking the services board of the same store about outages. */
    static DiagnoseService over(Database db, RuleBook book) {
        return over(db, new ServiceBoard(db, Clock.systemUTC()), book);
    }
}
