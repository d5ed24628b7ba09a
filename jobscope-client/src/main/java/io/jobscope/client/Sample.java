package io.jobscope.client;

import java.time.Instant;

/** One resource sample of a running job's process tree. */
public record Sample(
        Instant time,
        Double cpuPercent,
        Long rssBytes,
        Integer threads,
        Integer processes,
        Long readBytes,
        Long writeBytes) {}
