package io.jobscope.imports;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jobscope.client.Job;
import io.jobscope.client.Json;
import io.jobscope.jobs.JobService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Writes jobs back out in the task-queue monitor's JSONL history format, one record a line. */
public final class KeystoneExporter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private final JobService jobs;

    public KeystoneExporter(JobService jobs) {
        this.jobs = jobs;
    }

    /** Streams every job to {@code out}; returns how many were written. */
    public long export(Writer out) throws IOException {
        long[] n = {0};
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
            g.setRootValueSeparator(null);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            jobs.forEachJob(j -> {
                try {
                    write(g, j);
                    g.flush();
                    out.write('\n');
                    n[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
        return n[0];
    }

    private static void write(JsonGenerator g, Job j) throws IOException {
        Map<String, Object> attrs = j.details() == null ? null : j.details().attributes();
        g.writeStartObject();
        g.writeStringField("task_id", j.id());
        g.writeStringField("tool", j.app());
        g.writeStringField("script", j.script());
        g.writeFieldName("params");
        g.writeObject(j.params() == null ? Map.of() : j.params());
        g.writeStringField("start_time", time(j.startTime()));
        g.writeStringField("end_time", time(j.endTime()));
        writeNumber(g, "duration_seconds", j.durationS());
        g.writeStringField("status", j.status());
        if (j.exitCode() == null) {
            g.writeNullField("returncode");
        } else {
            g.writeNumberField("returncode", j.exitCode());
        }
        g.writeObjectFieldStart("resource_usage");
        writeNumber(g, "cpu_user_seconds", j.cpuUserS());
        writeNumber(g, "cpu_system_seconds", j.cpuSystemS());
        writeNumber(g, "cpu_total_seconds", j.cpuTotalS());
        writeNumber(g, "memory_peak_mb", j.memPeakMb() == null ? null : Math.round(j.memPeakMb() * 100) / 100.0);
        g.writeEndObject();
        g.writeStringField("error", j.error());
        Object hasResult = attrs == null ? null : attrs.get("has_result");
        g.writeBooleanField("has_result", Boolean.TRUE.equals(hasResult));
        if (attrs != null && attrs.get("detailed_profile") != null) {
            g.writeFieldName("detailed_profile");
            g.writeObject(attrs.get("detailed_profile"));
        }
        g.writeEndObject();
    }

    private static void writeNumber(JsonGenerator g, String name, Double v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }

    private static String time(Instant t) {
        return t == null ? null : LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(TIME);
    }
}
