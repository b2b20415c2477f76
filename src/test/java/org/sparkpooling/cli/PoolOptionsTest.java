package org.sparkpooling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.PoolSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** {@link PoolOptions} as another command (bench) mixes it in: with and without defaults. */
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

    private static final PoolSpec TEXTBOOK = PoolSpec.max(2, 2).build();

    @Test
    void defaultsFillWhatIsNotGiven() {
        assertEquals(TEXTBOOK, parse().toSpec(TEXTBOOK));
        PoolSpec stem = PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();
        assertEquals(stem, parse().toSpec(stem));
        assertEquals(PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).build(), parse("--mode", "avg").toSpec(stem));
    }

    @Test
    void aGivenKernelStridesByItselfUnlessAStrideIsGiven() {
        PoolSpec stem = PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();
        assertEquals(PoolSpec.max(4, 5).stride(4, 5).padding(1, 1).build(), parse("--kernel", "4,5").toSpec(stem));
        assertEquals(PoolSpec.max(2, 2).stride(1, 1).build(), parse("--mode", "max", "--kernel", "2", "--stride", "1").toSpec(null));
    }

    @Test
    void everyOptionReachesTheSpec() {
        assertEquals(PoolSpec.max(3, 2).stride(2, 1).padding(1, 0).dilation(1, 2).ceilMode(true).build(),
                parse("--mode", "max", "--kernel", "3,2", "--stride", "2,1", "--padding", "1,0", "--dilation", "1,2",
                        "--ceil-mode").toSpec());
        assertEquals(PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).divisorOverride(7).build(),
                parse("--mode", "AVG", "--kernel", " 3 ", "--stride", "2", "--padding", "1",
                        "--count-include-pad", "false", "--divisor-override", "7").toSpec());
    }

    @Test
    void withoutDefaultsModeAndKernelAreRequired() {
        ParameterException e = assertThrows(ParameterException.class, () -> parse("--kernel", "2").toSpec());
        assertEquals("Missing required option: '--mode=max|avg'", e.getMessage());
        e = assertThrows(ParameterException.class, () -> parse("--mode", "max").toSpec());
        assertEquals("Missing required option: '--kernel=KH[,KW]'", e.getMessage());
    }

    @Test
    void specChecksStayIllegalArgumentExceptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--mode", "max", "--kernel", "3", "--padding", "2").toSpec());
        assertTrue(e.getMessage().contains("padding height (2) must be at most half the effective kernel size (3)"),
                e.getMessage());
    }

    @Test
    void outsidePicocliMistakesAreIllegalArgumentExceptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PoolOptions().toSpec());
        assertEquals("Missing required option: '--mode=max|avg'", e.getMessage());
    }
}
