package org.sparkpooling.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BenchKernelsTest {

    @Test
    void pairedTakesItsRoundsAndLeavesJmhsOptions() {
        List<String> args = new ArrayList<>(List.of("-wi", "2", "--paired", "3", "-p", "kernelCase=stem-max"));
        assertEquals(3, BenchKernels.takeRounds(args));
        assertEquals(List.of("-wi", "2", "-p", "kernelCase=stem-max"), args);
        List<String> none = new ArrayList<>(List.of("-i", "4"));
        assertEquals(0, BenchKernels.takeRounds(none));
        assertEquals(List.of("-i", "4"), none);
    }

    @Test
    void pairedWithoutARoundCountIsRefusedNamingTheValue() {
        for (List<String> bad : List.of(List.of("--paired"), List.of("--paired", "0"), List.of("--paired", "two"),
                List.of("--paired", "-wi"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BenchKernels.takeRounds(new ArrayList<>(bad)));
            String value = bad.size() > 1 ? bad.get(1) : "null";
            assertTrue(e.getMessage().contains("--paired (" + value + ")"), e.getMessage());
        }
    }

    @Test
    void pairedTableGivesEachRoundsShareAndTheirMedian() {
        Map<String, List<double[]>> rows = new TreeMap<>();
        rows.put("large-max float32 nchw fast", List.of(new double[] {20000, 10000}, new double[] {25000, 12500},
                new double[] {16000, 12000}));
        rows.put("global-avg float32 nhwc fast", List.of(new double[] {1000, 600}, new double[] {1200, 540}));
        List<String> table = BenchKernels.pairedTable(rows);
        assertEquals(4, table.size());
        assertEquals("| global-avg | float32 | nhwc | fast | 1000.0 1200.0 | 600.0 540.0 | 0.60 0.45 | 0.53 |", table.get(2));
        assertEquals("| large-max | float32 | nchw | fast | 20000.0 25000.0 16000.0 | 10000.0 12500.0 12000.0 "
                + "| 0.50 0.50 0.75 | 0.50 |", table.get(3));
    }
}
