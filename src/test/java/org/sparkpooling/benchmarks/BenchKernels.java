package org.sparkpooling.benchmarks;

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
 */
public final class BenchKernels {

    private BenchKernels() {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = List.of(args);
        if (list.contains("-h") || list.contains("-l") || list.contains("-lp")) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        CommandLineOptions cmd = new CommandLineOptions(args);
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

    /** Which half a kernel benchmark times, after its layout in the table: nothing for forward + backward. */
    private static String half(String method) {
        return method.equals("forwardBackward") ? "" : " " + method;
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
