package io.jobscope.worker;

/**
 * Descriptive statistics of walltimes in seconds, as the worker tools print them: sample standard
 * deviation (n − 1), quartiles by linear interpolation between closest ranks (numpy's default). Values
 * that a sample too small cannot give are null.
 */
public record Walltime(
        long count, Double mean, Double std, Double min, Double p25, Double p50, Double p75, Double max) {
    static final Walltime EMPTY = new Walltime(0, null, null, null, null, null, null, null);

    /**
     * The statistics of {@code a[from, to)}, which this reorders: order statistics come from selection
     * (linear time), not from a full sort.
     */
    static Walltime of(double[] a, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return EMPTY;
        }
        double mean = sum(a, from, to) / n;
        double min = min(a, from, to);
        double max = max(a, from, to);
        Double std = n > 1 ? Math.sqrt(squaredDeviations(a, from, to, mean) / (n - 1)) : null;
        if (n < SORT_BELOW) {
            java.util.Arrays.sort(a, from, to);
            return new Walltime(
                    n,
                    mean,
                    std,
                    min,
                    sortedPercentile(a, from, n, 0.25),
                    sortedPercentile(a, from, n, 0.50),
                    sortedPercentile(a, from, n, 0.75),
                    max);
        }
        // Select the larger ranks first: a selection leaves the ranks below it to its left, so the next
        // one works on that prefix only (for n >= SORT_BELOW both ranks a quartile needs lie inside it).
        double p75 = percentile(a, from, to, 0.75, n);
        double p50 = percentile(a, from, from + lowRank(n, 0.75) + 1, 0.50, n);
        double p25 = percentile(a, from, from + lowRank(n, 0.50) + 1, 0.25, n);
        return new Walltime(n, mean, std, min, p25, p50, p75, max);
    }

    private static final int SORT_BELOW = 64;

    // One loop per method: each compiles small and fast while it runs.

    static double sum(double[] a, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s;
    }

    private static double min(double[] a, int from, int to) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = from; i < to; i++) {
            m = a[i] < m ? a[i] : m;
        }
        return m;
    }

    private static double max(double[] a, int from, int to) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            m = a[i] > m ? a[i] : m;
        }
        return m;
    }

    private static double squaredDeviations(double[] a, int from, int to, double mean) {
        double ss = 0;
        for (int i = from; i < to; i++) {
            double d = a[i] - mean;
            ss += d * d;
        }
        return ss;
    }

    private static int lowRank(int n, double q) {
        return (int) Math.floor((n - 1) * q);
    }

    private static double sortedPercentile(double[] s, int from, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
        return s[from + lo] + (h - lo) * (s[from + hi] - s[from + lo]);
    }

    /**
     * numpy.percentile's "linear" method for a sample of {@code n} whose smallest elements (at least up
     * to the two ranks needed) are in {@code a[from, to)}, which this reorders.
     */
    private static double percentile(double[] a, int from, int to, double q, int n) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        double x = select(a, from, to, from + lo);
        if (h == lo || lo + 1 >= n) {
            return x;
        }
        // the next rank is the smallest of what lies right of lo, within the whole sample
        double y = min(a, from + lo + 1, to);
        return x + (h - lo) * (y - x);
    }

    /** Rearranges {@code a[from, to)} so that {@code a[k]} holds the value of that rank; returns it. */
    static double select(double[] a, int from, int to, int k) {
        int lo = from;
        int hi = to - 1;
        long seed = 0x9E3779B97F4A7C15L ^ (to - from);
        while (hi > lo) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int pi = lo + (int) Math.floorMod(seed >>> 33, (long) (hi - lo + 1));
            double pivot = a[pi];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }
}
