package org.sparkpooling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.Layout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** {@link PoolOptions} as another command (bench) mixes it in: with and without defaults, in 1 to 3 dimensions. */
class PoolOptionsTest {

    @Command(name = "host")
    static final class Host implements Callable<Integer> {
        @Mixin
        PoolOptions pooling;

        @Override
        public Integer call() {
            return 0;
        }
    }

    private static PoolOptions parse(String... args) {
        Host host = new Host();
        new CommandLine(host).parseArgs(args);
        return host.pooling;
    }

    private static NdPoolSpec spec(String... args) {
        return parse(args).toSpec(2, "x.npy", null);
    }

    private static final NdPoolSpec TEXTBOOK = NdPoolSpec.max(2, 2).build();
    private static final NdPoolSpec STEM = NdPoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();

    @Test
    void defaultsFillWhatIsNotGiven() {
        assertEquals(TEXTBOOK, parse().toSpec(2, "x", TEXTBOOK));
        assertEquals(STEM, parse().toSpec(2, "x", STEM));
        assertEquals(NdPoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).build(), parse("--mode", "avg").toSpec(2, "x", STEM));
        assertEquals(NdPoolSpec.lp(2, 3, 3).stride(2, 2).build(),
                parse("--op", "lp", "--norm-type", "2").toSpec(2, "x", STEM), "lp keeps the window, drops the padding");
        assertEquals(NdPoolSpec.adaptiveAvg(1, 1), parse("--op", "adaptive-avg", "--output-size", "1").toSpec(2, "x", STEM));
    }

    @Test
    void aGivenKernelStridesByItselfUnlessAStrideIsGiven() {
        assertEquals(NdPoolSpec.max(4, 5).stride(4, 5).padding(1, 1).build(), parse("--kernel", "4,5").toSpec(2, "x", STEM));
        assertEquals(NdPoolSpec.max(2, 2).stride(1, 1).build(), spec("--mode", "max", "--kernel", "2", "--stride", "1"));
    }

    @Test
    void everyOptionReachesTheSpec() {
        assertEquals(NdPoolSpec.max(3, 2).stride(2, 1).padding(1, 0).dilation(1, 2).ceilMode(true).build(),
                spec("--mode", "max", "--kernel", "3,2", "--stride", "2,1", "--padding", "1,0", "--dilation", "1,2",
                        "--ceil-mode"));
        assertEquals(NdPoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).divisorOverride(7).build(),
                spec("--mode", "AVG", "--kernel", " 3 ", "--stride", "2", "--padding", "1",
                        "--count-include-pad", "false", "--divisor-override", "7"));
        assertEquals(NdPoolSpec.lp(1.5, 3, 2).stride(1, 2).ceilMode(true).build(),
                spec("--op", "lp", "--norm-type", "1.5", "--kernel", "3,2", "--stride", "1,2", "--ceil-mode"));
        assertEquals(NdPoolSpec.adaptiveMax(3, 5), spec("--op", "adaptive-max", "--output-size", "3,5"));
        assertEquals(NdPoolSpec.unpool(8, 8), spec("--op", "unpool", "--output-size", "8"));
        assertEquals(NdPoolSpec.max(2, 2).build(), spec("--op", "max", "--mode", "max", "--kernel", "2"),
                "--op and --mode may agree");
    }

    @Test
    void aSingleValueServesEveryDimensionAndAListMustMatchThem() {
        assertEquals(NdPoolSpec.max(2, 2, 2).padding(1, 1, 1).build(),
                parse("--mode", "max", "--kernel", "2", "--padding", "1").toSpec(3, "x", null));
        assertEquals(NdPoolSpec.max(2).build(), parse("--mode", "max", "--kernel", "2").toSpec(1, "x", null));
        assertEquals(NdPoolSpec.avg(1, 2, 3).stride(1, 1, 1).build(),
                parse("--mode", "avg", "--kernel", "1,2,3", "--stride", "1").toSpec(3, "x", null));
        assertEquals(NdPoolSpec.adaptiveAvg(1, 1, 1), parse("--op", "adaptive-avg", "--output-size", "1").toSpec(3, "x", null));
        ParameterException e = assertThrows(ParameterException.class,
                () -> parse("--mode", "max", "--kernel", "2,2,2").toSpec(2, "x.npy (1x2x4x4, nchw)", null));
        assertEquals("--kernel (2,2,2) has 3 entries, but x.npy (1x2x4x4, nchw) has 2 spatial dimensions;"
                + " give one value or 2", e.getMessage());
        e = assertThrows(ParameterException.class,
                () -> parse("--op", "unpool", "--output-size", "4,4").toSpec(1, "y", null));
        assertEquals("--output-size (4,4) has 2 entries, but y has 1 spatial dimension; give one value or 1", e.getMessage());
    }

    @Test
    void withoutDefaultsTheOpAndItsRequiredOptionsMustBeGiven() {
        ParameterException e = assertThrows(ParameterException.class, () -> parse("--kernel", "2").toSpec(2, "x", null));
        assertEquals("Missing required option: '--mode=max|avg' (or '--op=max|avg|adaptive-max|adaptive-avg|lp|unpool')",
                e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--mode", "max").toSpec(2, "x", null));
        assertEquals("Missing required option: '--kernel=K[,K[,K]]' (max pooling needs it)", e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--op", "lp", "--kernel", "2").toSpec(2, "x", null));
        assertEquals("Missing required option: '--norm-type=P' (lp pooling needs it)", e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--op", "adaptive-max").toSpec(2, "x", TEXTBOOK));
        assertEquals("Missing required option: '--output-size=O[,O[,O]]' (adaptive-max pooling needs it)", e.getMessage());
    }

    @Test
    void anOptionTheOpDoesNotTakeIsRefusedNamingIt() {
        List<List<String>> cases = List.of(
                List.of("--op=max", "--kernel=2", "--output-size=2", "--output-size (2) applies to adaptive-max,"
                        + " adaptive-avg and unpool, not max"),
                List.of("--op=max", "--kernel=2", "--norm-type=2", "--norm-type (2.0) applies to lp pooling only, not max"),
                List.of("--op=lp", "--kernel=2", "--norm-type=2", "--padding=1", "--padding (1) applies to max and avg"
                        + " pooling, not lp (PyTorch's lp_pool has no padding)"),
                List.of("--op=lp", "--kernel=2", "--norm-type=2", "--dilation=2", "--dilation (2) applies to max pooling"
                        + " only, not lp"),
                List.of("--op=lp", "--kernel=2", "--norm-type=2", "--divisor-override=2", "--divisor-override (2) applies"
                        + " to avg pooling only, not lp"),
                List.of("--op=adaptive-avg", "--output-size=2", "--kernel=2", "--kernel (2) applies to max, avg and lp"
                        + " pooling, not adaptive-avg, which takes --output-size"),
                List.of("--op=adaptive-max", "--output-size=2", "--stride=2", "--stride (2) applies to max, avg and lp"
                        + " pooling, not adaptive-max"),
                List.of("--op=unpool", "--output-size=2", "--ceil-mode", "--ceil-mode applies to max, avg and lp pooling,"
                        + " not unpool"),
                List.of("--op=unpool", "--output-size=2", "--count-include-pad=true", "--count-include-pad (true)"
                        + " applies to avg pooling only, not unpool"),
                List.of("--op=max", "--mode=avg", "--kernel=2", "--mode (avg) contradicts --op (max); give one of them"));
        for (List<String> c : cases) {
            String[] args = c.subList(0, c.size() - 1).toArray(String[]::new);
            ParameterException e = assertThrows(ParameterException.class, () -> parse(args).toSpec(2, "x", null),
                    String.join(" ", args));
            assertEquals(c.get(c.size() - 1), e.getMessage());
        }
        // A neutral value changes nothing and passes, as --dilation 1 with avg always did.
        assertEquals(NdPoolSpec.lp(2, 2, 2).build(), spec("--op=lp", "--kernel=2", "--norm-type=2", "--padding=0",
                "--dilation=1"));
        assertEquals(PoolOp.UNPOOL, parse("--op", "unpool", "--output-size", "3").checkedOp(null));
    }

    @Test
    void badValuesFailWhileParsing() {
        for (String[] args : new String[][] {{"--norm-type", "0"}, {"--norm-type", "-1"}, {"--norm-type", "NaN"},
            {"--norm-type", "Infinity"}, {"--norm-type", "two"}}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> parse(args));
            assertTrue(e.getMessage().endsWith("norm type (" + args[1] + ") must be a finite number > 0"), e.getMessage());
        }
        ParameterException e = assertThrows(ParameterException.class, () -> parse("--output-size", "2,0"));
        assertTrue(e.getMessage().endsWith("output size (2,0) must be > 0"), e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--kernel", "1,2,3,4"));
        assertTrue(e.getMessage().endsWith("kernel (1,2,3,4) must be one integer or up to three separated by commas,"
                + " one per spatial dimension (L; H,W; D,H,W)"), e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--op", "median"));
        assertTrue(e.getMessage().endsWith("'median' must be one of max, avg, adaptive-max, adaptive-avg, lp, unpool"),
                e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--layout", "nwhc"));
        assertTrue(e.getMessage().endsWith("layout (nwhc) must be nchw or nhwc"), e.getMessage());
    }

    @Test
    void channelsLastIsForTwoAndThreeDimensions() {
        assertEquals(Layout.CHANNELS_FIRST, parse().layout(3, "x"));
        assertEquals(Layout.CHANNELS_LAST, parse("--layout", "nhwc").layout(5, "x"));
        assertEquals(Layout.CHANNELS_LAST, parse("--layout", "channels-last").layout(4, "x"));
        ParameterException e = assertThrows(ParameterException.class, () -> parse("--layout", "nhwc").layout(3, "x.npy"));
        assertEquals("--layout (nhwc) applies to 2-D and 3-D data (rank 4 or 5), but x.npy is rank 3, which is read"
                + " channels-first (N,C,L) only", e.getMessage());
    }

    @Test
    void specChecksStayIllegalArgumentExceptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec("--mode", "max", "--kernel", "3", "--padding", "2"));
        assertTrue(e.getMessage().contains("padding height (2) must be at most half the effective kernel size (3)"),
                e.getMessage());
    }

    @Test
    void outsidePicocliMistakesAreIllegalArgumentExceptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PoolOptions().toSpec(2, "x", null));
        assertTrue(e.getMessage().startsWith("Missing required option: '--mode=max|avg'"), e.getMessage());
    }
}
