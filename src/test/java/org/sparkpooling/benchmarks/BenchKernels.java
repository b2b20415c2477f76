package org.sparkpooling.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.sparkpooling.pool.PoolKernels;

/**
 * {@code scripts/bench-kernels}: runs {@link KernelBench} and {@link CopyBench} in one JMH run (JMH's
 * own options pass through) and prints, per case, layout and dtype, each implementation's time with
 * its ratio to {@code loops} and to the copy bound measured in the same run: absolute times move
 * on a shared machine, ratios from one run much less.
 *
 * <p>With {@code --paired N} (ours, not JMH's) it runs one JMH run per case instead, the case's
 * {@code copyTraffic} and then its kernels, and goes through the cases {@code N} times: each share
 * is then a kernel's time against a copy bound measured seconds before it, and the rounds show how
 * far it moves. The machine's copy speed drifts between runs minutes apart (large-max's
 * {@code copyTraffic} took 11.2 ms in one whole-series run and 12.4 ms in another two hours later),
 * which in one run of every case moves the shares of the cases timed far from their bound.
 */
public final class BenchKernels {

    private BenchKernels() {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = new ArrayList<>(List.of(args));
        if (list.contains("-h") || list.contains("-l") || list.contains("-lp")) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        int rounds = takeRounds(list);
        CommandLineOptions cmd = new CommandLineOptions(list.toArray(new String[0]));
        if (rounds > 0) {
            paired(cmd, rounds);
            return;
        }
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cmd);
        if (cmd.getIncludes().isEmpty()) {
            b.include(KernelBench.class.getSimpleName() + "\\.forwardBackward$").include(CopyBench.class.getSimpleName());
        }
        if (!cmd.getParameter("impl").hasValue()) {
            // Every registered implementation, so a new one is benchmarked without editing this list.
            b.param("impl", PoolKernels.names().toArray(new String[0]));
        }
        print(new Runner(b.build()).run());
    }

    static void print(Collection<RunResult> results) {
        // case dtype -> layout and half ("nchw", "nchw forward") -> impl -> us; the copy bounds under
        // the layout "" (they have none)
        Map<String, Map<String, Map<String, Double>>> byCase = new TreeMap<>();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String bench = p.getBenchmark();
            boolean kernel = bench.contains("KernelBench");
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            byCase.computeIfAbsent(p.getParam("kernelCase") + " " + p.getParam("dtype"), k -> new TreeMap<>())
                    .computeIfAbsent(kernel ? p.getParam("layout") + half(method) : "", k -> new TreeMap<>())
                    .put(kernel ? p.getParam("impl") : method, r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("| case | dtype | layout | impl | us/op | loops / impl | copyTraffic / impl (share of copy bandwidth) | impl / copyInput |");
        System.out.println("| --- | --- | --- | --- | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, Map<String, Map<String, Double>>> e : byCase.entrySet()) {
            String[] caseDtype = e.getKey().split(" ");
            Map<String, Double> copies = e.getValue().getOrDefault("", Map.of());
            Double traffic = copies.get("copyTraffic");
            Double input = copies.get("copyInput");
            for (Map.Entry<String, Map<String, Double>> l : e.getValue().entrySet()) {
                Map<String, Double> m = l.getValue();
                Double loops = m.get("loops");
                for (Map.Entry<String, Double> t : m.entrySet()) {
                    double us = t.getValue();
                    System.out.println(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | %s | %s |",
                            caseDtype[0], caseDtype[1], l.getKey(), t.getKey(), us, ratio(loops, us),
                            ratio(traffic, us), ratio(us, input)));
                }
            }
        }
    }

    /** Removes {@code --paired N} from {@code args} and returns N, or 0 when it is not there. */
    static int takeRounds(List<String> args) {
        int at = args.indexOf("--paired");
        if (at < 0) {
            return 0;
        }
        String value = at + 1 < args.size() ? args.get(at + 1) : null;
        int rounds;
        try {
            rounds = value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            rounds = 0;
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--paired (" + value + ") must be followed by a number of rounds, 1 or more");
        }
        args.subList(at, at + 2).clear();
        return rounds;
    }

    /** The {@code --paired} run: per round, per case, one JMH run of the case's copyTraffic and kernels. */
    private static void paired(CommandLineOptions cmd, int rounds) throws Exception {
        if (!cmd.getIncludes().isEmpty()) {
            throw new IllegalArgumentException("--paired times KernelBench.forwardBackward beside CopyBench.copyTraffic, "
                    + "case by case, and takes no benchmark pattern (" + cmd.getIncludes() + ")");
        }
        List<String> cases = cmd.getParameter("kernelCase").hasValue()
                ? new ArrayList<>(cmd.getParameter("kernelCase").get())
                : Arrays.stream(KernelCase.values()).map(c -> c.label).toList();
        Map<String, List<double[]>> rows = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String c : cases) {
                ChainedOptionsBuilder b = new OptionsBuilder().parent(cmd)
                        .include(KernelBench.class.getSimpleName() + "\\.forwardBackward$")
                        .include(CopyBench.class.getSimpleName() + "\\.copyTraffic$")
                        .param("kernelCase", c);
                if (!cmd.getParameter("impl").hasValue()) {
                    b.param("impl", PoolKernels.names().toArray(new String[0]));
                }
                collect(new Runner(b.build()).run(), rows);
            }
        }
        System.out.println();
        pairedTable(rows).forEach(System.out::println);
    }

    /** Adds one case's run to {@code rows}: per kernel row, its time and the copyTraffic of its dtype in the same run. */
    static void collect(Collection<RunResult> results, Map<String, List<double[]>> rows) {
        Map<String, Double> copy = new TreeMap<>();
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().contains("CopyBench")) {
                copy.put(r.getParams().getParam("dtype"), r.getPrimaryResult().getScore());
            }
        }
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            if (p.getBenchmark().contains("KernelBench")) {
                String key = String.join(" ", p.getParam("kernelCase"), p.getParam("dtype"), p.getParam("layout"),
                        p.getParam("impl"));
                Double bound = copy.get(p.getParam("dtype"));
                rows.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new double[] {r.getPrimaryResult().getScore(), bound == null ? Double.NaN : bound});
            }
        }
    }

    /** The {@code --paired} table: per row, each round's time, copy bound and share, and the median share. */
    static List<String> pairedTable(Map<String, List<double[]>> rows) {
        List<String> lines = new ArrayList<>();
        lines.add("| case | dtype | layout | impl | us/op, each round | copyTraffic us, each round "
                + "| share, each round | share, median |");
        lines.add("| --- | --- | --- | --- | --- | --- | --- | ---: |");
        for (Map.Entry<String, List<double[]>> e : rows.entrySet()) {
            List<double[]> runs = e.getValue();
            double[] shares = runs.stream().mapToDouble(t -> t[1] / t[0]).toArray();
            String[] key = e.getKey().split(" ");
            lines.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.2f |", key[0], key[1], key[2],
                    key[3], each(runs.stream().mapToDouble(t -> t[0]).toArray(), "%.1f"),
                    each(runs.stream().mapToDouble(t -> t[1]).toArray(), "%.1f"), each(shares, "%.2f"), median(shares)));
        }
        return lines;
    }

    private static String each(double[] values, String format) {
        return String.join(" ", Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, format, v)).toList());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Which half a kernel benchmark times, after its layout in the table: nothing for forward + backward. */
    private static String half(String method) {
        return method.equals("forwardBackward") ? "" : " " + method;
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
