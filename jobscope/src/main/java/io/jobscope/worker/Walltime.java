package io.jobscope.worker;

/**
 * Descriptive statistics of walltimes in seconds, as the worker tools print them: sample standard
 * deviation (n − 1), quartiles by linear interpolation between closest ranks (numpy's default). Values
 * that a sample too small cannot give are null.
 */
public record Walltime(long count, Double mean, Double std, Double min, Double p25, Double p50, Double p75, Double max) {
    static final Walltime EMPTY = new Walltime(0, null, null, null, null, null, null, null);

    /** The statistics of {@code sorted[from, to)}, which must be sorted ascending. */
    static Walltime ofSorted(double[] sorted, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return EMPTY;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += sorted[i];
        }
        double mean = sum / n;
        Double std = null;
        if (n > 1) {
            double ss = 0;
            for (int i = from; i < to; i++) {
                double d = sorted[i] - mean;
                ss += d * d;
            }
            std = Math.sqrt(ss / (n - 1));
        }
        return new Walltime(
                n,
                mean,
                std,
                sorted[from],
                percentile(sorted, from, to, 0.25),
                percentile(sorted, from, to, 0.50),
                percentile(sorted, from, to, 0.75),
                sorted[to - 1]);
    }

    /** numpy.percentile's "linear" method over the sorted {@code s[from, to)}. */
    static double percentile(double[] s, int from, int to, double q) {
        int n = to - from;
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
        double a = s[from + lo];
        return a + (h - lo) * (s[from + hi] - a);
    }
}
