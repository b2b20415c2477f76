package org.sparkpooling.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.tensor.IntImage;

/**
 * One integer downsampling level ({@link ImagePooling#pool}, output allocation included) per mode,
 * on a label image: each mode against {@code avg} on the same image, factor and sparse rule, measured
 * in the same run. {@code main} runs JMH (its options pass through) and prints input megapixels per
 * second per thread with the ratio to avg, e.g.
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt)
 * org.sparkpooling.benchmarks.ImagePoolingBench -p image=2048x2048x1x16 -p factor=2}.
 *
 * <p>{@code content=labels}: 12 x 12 regions of one id (ids of the depth's whole range, one region
 * in four background 0) with one pixel in ten another region's id, as a segmentation's boundaries
 * give; {@code noise}: every pixel one of four ids, so ties and mixed windows are the rule, the worst
 * case for anything that branches on the data.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Each op allocates its output; a pre-touched heap keeps first-touch page faults out of the times
// (PyramidBench measured forks 7x slower without it).
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ImagePoolingBench {

    /**
     * height x width x channels x bits: 4 MP label images. An odd width ({@code 2048x2047x1x16})
     * puts a partial window at the end of every row, which takes avg, max and min off their 2x2
     * path straight from the input rows.
     */
    @Param({"2048x2048x1x16", "2048x2048x1x8"})
    public String image;

    @Param({"avg", "max", "min", "mode", "median"})
    public String mode;

    @Param({"2", "4"})
    public int factor;

    @Param({"false"})
    public boolean sparse;

    @Param({"labels"})
    public String content;

    private IntImage in;
    private DownsampleMode downsample;

    @Setup
    public void setup() {
        String[] p = image.split("x");
        in = labels(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                content, 42);
        downsample = DownsampleMode.parse(mode);
    }

    @Benchmark
    public IntImage level(CpuTime cpu) {
        long t0 = CpuTime.THREADS.getCurrentThreadCpuTime();
        IntImage out = ImagePooling.pool(downsample, in, factor, true, sparse);
        cpu.cpuNanos += CpuTime.THREADS.getCurrentThreadCpuTime() - t0;
        cpu.calls++;
        return out;
    }

    /**
     * The benchmark thread's CPU time, beside JMH's wall time: on a shared machine the thread waits
     * for a core for part of the wall time, and the CPU time is what one core takes (less what a
     * busy neighbour costs in caches and frequency). One read costs about a microsecond; an op, ms.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        public long cpuNanos;
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            calls = 0;
        }
    }

    static IntImage labels(int h, int w, int c, int bits, String content, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        IntImage img = IntImage.allocate(h, w, c, bits);
        long max = img.maxValue();
        long[] four = {0, 1 + rnd.nextLong(max), 1 + rnd.nextLong(max), 1 + rnd.nextLong(max)};
        int cols = (w + 11) / 12;
        long[] region = new long[((h + 11) / 12) * cols];
        for (int i = 0; i < region.length; i++) {
            region[i] = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextLong(max);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    long v = switch (content) {
                        case "labels" -> region[rnd.nextInt(10) == 0 ? rnd.nextInt(region.length) : y / 12 * cols + x / 12];
                        case "noise" -> four[rnd.nextInt(4)];
                        default -> throw new IllegalArgumentException("content (" + content + ") must be labels or noise");
                    };
                    int i = (y * w + x) * c + k;
                    switch (bits) {
                        case 8 -> img.bytes()[i] = (byte) v;
                        case 16 -> img.shorts()[i] = (short) v;
                        default -> img.ints()[i] = (int) v;
                    }
                }
            }
        }
        return img;
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd = new CommandLineOptions(args);
        OptionsBuilder b = new OptionsBuilder();
        b.parent(cmd);
        if (cmd.getIncludes().isEmpty()) {
            b.include(ImagePoolingBench.class.getName() + ".level");
        }
        print(new Runner(b.build()).run());
    }

    /**
     * Input MP/s per thread from JMH's mean wall time and from its best iteration, and input MP per
     * second of the thread's CPU time (per core, on a busy machine the steadiest of the three), each
     * with the mode's ratio to avg on the same image, factor, sparse rule and content.
     */
    static void print(Collection<RunResult> results) {
        Map<String, Map<String, double[]>> byCase = new TreeMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            String key = p.getParam("image") + " f=" + p.getParam("factor") + " sparse=" + p.getParam("sparse")
                    + " " + p.getParam("content");
            String[] hw = p.getParam("image").split("x");
            double mp = Double.parseDouble(hw[0]) * Double.parseDouble(hw[1]) / 1e6;
            double best = r.getBenchmarkResults().stream().flatMap(b -> b.getIterationResults().stream())
                    .mapToDouble(i -> i.getPrimaryResult().getScore()).min().orElse(Double.NaN);
            var aux = r.getSecondaryResults();
            double cpuMs = aux.get("cpuNanos").getScore() / aux.get("calls").getScore() / 1e6;
            byCase.computeIfAbsent(key, k -> new TreeMap<>()).put(p.getParam("mode"),
                    new double[] {mp / (r.getPrimaryResult().getScore() / 1000), mp / (best / 1000), mp / (cpuMs / 1000)});
        }
        List<String> lines = new ArrayList<>();
        lines.add("| case | mode | MP/s per thread, wall (mean) | (best iteration) | mode / avg | MP per CPU second | mode / avg |");
        lines.add("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, Map<String, double[]>> e : byCase.entrySet()) {
            double[] avg = e.getValue().get("avg");
            for (Map.Entry<String, double[]> m : e.getValue().entrySet()) {
                double[] v = m.getValue();
                lines.add(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %s | %.0f | %s |", e.getKey(), m.getKey(),
                        v[0], v[1], ratio(v[0], avg == null ? null : avg[0]), v[2], ratio(v[2], avg == null ? null : avg[2])));
            }
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    private static String ratio(double a, Double b) {
        return b == null ? "" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
