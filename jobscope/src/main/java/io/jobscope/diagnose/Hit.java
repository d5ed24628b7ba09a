package io.jobscope.diagnose;

/** A line of a log that matched a rule. */
record Hit(Rule rule, int ruleIndex, int tier, LogSource source, long lineNo, long offset, String line) {}
