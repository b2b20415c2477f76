package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;

class WindowPlanTest {

    /**
     * {@link WindowPlan#cells} against the windows' definition, axis by axis: the cells
     * {@code first + step * i} of each axis that lie in the input (a bin's range for the adaptive
     * ops), in raster order. Covers unclipped windows, which {@code cells} fills from the interior
     * taps, and clipped, dilated, ceil-mode and missed ones, which it walks.
     */
    @Test
    void everyWindowsCellsAreTheClippedWindowInRasterOrder() {
        SplittableRandom rnd = new SplittableRandom(20261205L);
        PoolOp[] ops = {PoolOp.MAX, PoolOp.AVG, PoolOp.LP, PoolOp.ADAPTIVE_MAX, PoolOp.ADAPTIVE_AVG};
        int unclipped = 0;
        int clipped = 0;
        for (int i = 0; i < 600; i++) {
            PoolOp op = ops[i % ops.length];
            FamilyCases.Case c = FamilyCases.make("#" + i, rnd, op, 1 + i % 3, Layout.CHANNELS_FIRST, Dtype.FLOAT32,
                    FamilyCases.Values.NOISE);
            NdPoolGeometry g = NdPoolGeometry.of(c.spec(), c.input().shape());
            WindowPlan q = new WindowPlan(g);
            int[] cell = new int[Math.max(1, q.maxCells())];
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++) {
                        int[] expected = definition(g, od, oh, ow);
                        int n = q.cells(od, oh, ow, cell);
                        String at = String.format(Locale.ROOT, "%s, window (%d, %d, %d)", c.name(), od, oh, ow);
                        assertArrayEquals(expected, Arrays.copyOf(cell, n), at);
                        boolean whole = op.windowed() && q.full(0, od) && q.full(1, oh) && q.full(2, ow);
                        if (whole) {
                            unclipped++;
                        } else {
                            clipped++;
                        }
                    }
                }
            }
        }
        assertTrue(unclipped > 1000 && clipped > 1000, unclipped + " unclipped and " + clipped + " clipped windows");
    }

    private static int[] definition(NdPoolGeometry g, int od, int oh, int ow) {
        int[][] along = {coordinates(g, 0, od), coordinates(g, 1, oh), coordinates(g, 2, ow)};
        List<Integer> cells = new ArrayList<>();
        for (int d : along[0]) {
            for (int h : along[1]) {
                for (int w : along[2]) {
                    cells.add((d * g.in(1) + h) * g.in(2) + w);
                }
            }
        }
        return cells.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] coordinates(NdPoolGeometry g, int axis, int o) {
        List<Integer> at = new ArrayList<>();
        if (g.spec().op().windowed()) {
            for (int i = 0; i < g.kernel(axis); i++) {
                int x = g.first(axis, o) + g.step(axis) * i;
                if (x >= 0 && x < g.in(axis)) {
                    at.add(x);
                }
            }
        } else {
            for (int x = g.start(axis, o); x < g.end(axis, o); x++) {
                at.add(x);
            }
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }
}
