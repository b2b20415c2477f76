package org.sparkpooling.pool;

import static org.sparkpooling.pool.Rejections.assertRejectedAt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * Every implementation checks the family's arguments at its entry points: wrong lengths, nulls,
 * a rank or layout that does not match, indices outside the volume they point into, and ops it
 * does not implement, each an IllegalArgumentException that names the buffer and the value.
 */
class FamilyArgumentsTest {

    /** 1x2x4x6x6 in; max 2x2x2 gives 1x2x2x3x3 (36 elements) out, volumes of 144 elements. */
    private static final TensorShape IN = TensorShape.channelsFirst(1, 2, 4, 6, 6);
    private static final NdPoolSpec MAX = NdPoolSpec.max(2, 2, 2).build();
    private static final NdPoolSpec ADAPTIVE_MAX = NdPoolSpec.adaptiveMax(2, 3, 3);
    private static final NdPoolSpec AVG = NdPoolSpec.avg(2, 2, 2).build();
    private static final NdPoolSpec LP = NdPoolSpec.lp(2, 2, 2, 2).build();
    private static final int OUT = 36;
    /** Unpool of the 1x2x2x3x3 output back to 4x6x6 volumes. */
    private static final TensorShape POOLED = TensorShape.channelsFirst(1, 2, 2, 3, 3);
    private static final NdPoolSpec UNPOOL = NdPoolSpec.unpool(4, 6, 6);

    private record Rejection(String name, Executable call, String[] fragments) {
    }

    @TestFactory
    Stream<DynamicTest> everyImplementationRejectsBadFamilyArguments() {
        List<DynamicTest> tests = new ArrayList<>();
        for (PoolKernel k : PoolKernels.all()) {
            for (Rejection r : rejections(k)) {
                String where = r.name() + " [" + k.name() + "]: ";
                tests.add(DynamicTest.dynamicTest(r.name() + " [" + k.name() + "]",
                        () -> assertRejectedAt(where, r.call(), r.fragments())));
            }
        }
        return tests.stream();
    }

    private static List<Rejection> rejections(NdPoolKernel k) {
        FloatTensor x = FloatTensor.zeros(IN);
        DoubleTensor xd = DoubleTensor.zeros(IN);
        float[] out = new float[OUT];
        int[] idx = new int[OUT];
        float[] gIn = new float[IN.size()];
        List<Rejection> r = new ArrayList<>();
        // forward, the max and avg every implementation has
        add(r, "forward with null spec", () -> k.forward(null, x, out, idx), "spec must not be null");
        add(r, "forward with null input", () -> k.forward(MAX, (FloatTensor) null, out, idx), "input must not be null");
        add(r, "forward with null output", () -> k.forward(AVG, xd, null, null), "output must not be null");
        add(r, "forward with a short output", () -> k.forward(MAX, x, new float[OUT - 1], idx),
                "output length (35)", "1x2x2x3x3 (ncdhw)", "36 elements");
        add(r, "double forward with a long output", () -> k.forward(AVG, xd, new double[OUT + 1], null), "output length (37)");
        add(r, "max forward with short indices", () -> k.forward(MAX, x, out, new int[OUT - 1]), "indices length (35)");
        add(r, "forward with a 2-D spec on a 3-D input", () -> k.forward(NdPoolSpec.max(2, 2).build(), x, out, idx),
                "has 2 spatial dimensions but input 1x2x4x6x6 (ncdhw) has 3");
        add(r, "forward on an input too small for the kernel",
                () -> k.forward(NdPoolSpec.max(5, 5, 5).build(), x, out, idx), "output size 0x1x1", "input 4x6x6");
        // backward
        float[] gOut = new float[OUT];
        add(r, "backward with null gradOutput", () -> k.backward(AVG, x, null, null, gIn), "gradOutput must not be null");
        add(r, "backward with null gradInput", () -> k.backward(AVG, x, gOut, null, null), "gradInput must not be null");
        add(r, "backward with a short gradInput", () -> k.backward(AVG, x, gOut, null, new float[IN.size() - 1]),
                "gradInput length (287)", "288 elements");
        add(r, "backward with a long gradOutput", () -> k.backward(MAX, x, new float[OUT + 1], idx, gIn),
                "gradOutput length (37)");
        add(r, "max backward with null indices", () -> k.backward(MAX, x, gOut, null, gIn),
                "indices must not be null for max pooling backward");
        add(r, "max backward with an index past the volume", () -> k.backward(MAX, x, gOut, withIndex(OUT, 5, 144), gIn),
                "index (144) at output 5", "input volume of 4x6x6");
        // the allocating forms
        add(r, "allocating backward with a gradOutput of the other layout", () -> k.backward(MAX, x, k.forward(MAX, x),
                FloatTensor.zeros(POOLED.withLayout(Layout.CHANNELS_LAST))),
                "gradOutput shape 1x2x3x3x2 (ndhwc)", "1x2x2x3x3 (ncdhw)");
        add(r, "allocating backward with a gradOutput of the other dtype", () -> k.backward(AVG, x, k.forward(AVG, x),
                DoubleTensor.zeros(POOLED)), "gradOutput dtype (float64)", "(float32)");
        add(r, "allocating forward given indices for max", () -> k.forward(MAX, x, new int[OUT]),
                "indices are read by unpool only; max writes its own");
        add(r, "allocating forward given indices for avg", () -> k.forward(AVG, (NdTensor) x, new int[OUT]),
                "indices are read by unpool only; avg has none");
        if (k.supports(PoolOp.UNPOOL)) {
            FloatTensor pooled = FloatTensor.zeros(POOLED);
            add(r, "unpool without indices", () -> k.forward(UNPOOL, pooled), "indices must not be null for unpool");
            add(r, "unpool with an index past the output volume",
                    () -> k.forward(UNPOOL, pooled, new float[IN.size()], withIndex(OUT, 7, 144)),
                    "index (144) at input 7", "output volume of 4x6x6");
            add(r, "unpool with a negative index", () -> k.forward(UNPOOL, pooled, new float[IN.size()], withIndex(OUT, 0, -1)),
                    "index (-1) at input 0");
            add(r, "unpool backward with an index past the output volume",
                    () -> k.backward(UNPOOL, pooled, new float[IN.size()], withIndex(OUT, 35, 1000), new float[OUT]),
                    "index (1000) at input 35");
            add(r, "unpool with short indices", () -> k.forward(UNPOOL, pooled, new float[IN.size()], new int[OUT - 1]),
                    "indices length (35)", "1x2x2x3x3 (ncdhw)");
        }
        if (k.supports(PoolOp.ADAPTIVE_MAX)) {
            add(r, "adaptive-max backward with a negative index",
                    () -> k.backward(ADAPTIVE_MAX, x, gOut, withIndex(OUT, 3, -5), gIn), "index (-5) at output 3");
        }
        if (k.supports(PoolOp.LP)) {
            add(r, "lp backward with null input", () -> k.backward(LP, (DoubleTensor) null, new double[OUT], null,
                    new double[IN.size()]), "input must not be null");
        }
        for (PoolOp op : PoolOp.values()) {
            if (!k.supports(op)) {
                NdPoolSpec spec = switch (op) {
                    case MAX -> MAX;
                    case AVG -> AVG;
                    case ADAPTIVE_MAX -> ADAPTIVE_MAX;
                    case ADAPTIVE_AVG -> NdPoolSpec.adaptiveAvg(2, 3, 3);
                    case LP -> LP;
                    case UNPOOL -> UNPOOL;
                };
                TensorShape in = op == PoolOp.UNPOOL ? POOLED : IN;
                int[] indices = op == PoolOp.UNPOOL ? new int[OUT] : null;
                add(r, "unsupported " + op.label(), () -> k.forward(spec, DoubleTensor.zeros(in), indices),
                        k.name() + " does not implement " + op.description());
            }
        }
        return r;
    }

    private static int[] withIndex(int length, int at, int value) {
        int[] idx = new int[length];
        idx[at] = value;
        return idx;
    }

    private static void add(List<Rejection> list, String name, Executable call, String... fragments) {
        list.add(new Rejection(name, call, fragments));
    }
}
