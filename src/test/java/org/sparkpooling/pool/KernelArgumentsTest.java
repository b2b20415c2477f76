package org.sparkpooling.pool;

import static org.sparkpooling.pool.Rejections.assertRejectedAt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Every implementation checks its buffers at the entry point: a wrong length, a null buffer or an
 * index outside its plane is an IllegalArgumentException naming the buffer and the value, never an
 * ArrayIndexOutOfBoundsException from a hot loop or silently corrupt output.
 */
class KernelArgumentsTest {

    private static final PoolSpec MAX = PoolSpec.max(2, 2).build();
    private static final PoolSpec AVG = PoolSpec.avg(2, 2).build();
    /** 1x2x4x6 in, 1x2x2x3 (12 elements) out; planes of 24 elements. */
    private static final Shape IN = new Shape(1, 2, 4, 6);
    private static final int OUT = 12;

    private record Rejection(String name, Executable call, String[] fragments) {
    }

    @TestFactory
    Stream<DynamicTest> everyImplementationRejectsBadArguments() {
        List<DynamicTest> tests = new ArrayList<>();
        for (PoolKernel k : PoolKernels.all()) {
            for (Rejection r : rejections(k)) {
                tests.add(DynamicTest.dynamicTest(r.name() + " [" + k.name() + "]",
                        () -> assertRejectedAt(r.name() + " [" + k.name() + "]: ", r.call(), r.fragments())));
            }
        }
        return tests.stream();
    }

    private static List<Rejection> rejections(PoolKernel k) {
        Tensor x = Tensor.zeros(IN);
        float[] out = new float[OUT];
        int[] idx = new int[OUT];
        float[] gIn = new float[IN.size()];
        List<Rejection> r = new ArrayList<>();
        // forward
        add(r, "forward with null spec", () -> k.forward(null, x, out, idx), "spec", "null");
        add(r, "forward with null input", () -> k.forward(MAX, null, out, idx), "input", "null");
        add(r, "forward with null output", () -> k.forward(MAX, x, null, idx), "output", "null");
        add(r, "forward with a short output", () -> k.forward(MAX, x, new float[OUT - 1], idx),
                "output length (11)", "12");
        add(r, "forward with a long output", () -> k.forward(AVG, x, new float[OUT + 1], null),
                "output length (13)", "12");
        add(r, "max forward with short indices", () -> k.forward(MAX, x, out, new int[OUT - 1]),
                "indices length (11)", "1x2x2x3");
        add(r, "forward on an input too small for the kernel",
                () -> k.forward(PoolSpec.max(5, 5).build(), x, out, idx), "output size 0x1", "input 4x6");
        add(r, "allocating forward with null input", () -> k.forward(MAX, null), "input", "null");
        // backward
        float[] gOut = new float[OUT];
        add(r, "backward with null spec", () -> k.backward(null, IN, gOut, idx, gIn), "spec", "null");
        add(r, "backward with null input shape", () -> k.backward(MAX, null, gOut, idx, gIn), "input shape", "null");
        add(r, "backward with null gradOutput", () -> k.backward(AVG, IN, null, null, gIn), "gradOutput", "null");
        add(r, "backward with a short gradOutput", () -> k.backward(AVG, IN, new float[OUT - 1], null, gIn),
                "gradOutput length (11)", "1x2x2x3");
        add(r, "backward with a long gradOutput", () -> k.backward(MAX, IN, new float[OUT + 1], idx, gIn),
                "gradOutput length (13)", "1x2x2x3");
        add(r, "backward with null gradInput", () -> k.backward(AVG, IN, gOut, null, null), "gradInput", "null");
        add(r, "backward with a short gradInput", () -> k.backward(AVG, IN, gOut, null, new float[IN.size() - 1]),
                "gradInput length (47)", "48");
        add(r, "max backward with null indices", () -> k.backward(MAX, IN, gOut, null, gIn), "indices", "null");
        add(r, "max backward with long indices", () -> k.backward(MAX, IN, gOut, new int[OUT + 1], gIn),
                "indices length (13)", "1x2x2x3");
        add(r, "max backward with a negative index", () -> k.backward(MAX, IN, gOut, withIndex(7, -1), gIn),
                "index (-1)", "output 7", "4x6");
        add(r, "max backward with an index past the plane", () -> k.backward(MAX, IN, gOut, withIndex(3, 24), gIn),
                "index (24)", "output 3", "4x6");
        add(r, "allocating backward with a gradOutput of the wrong shape", () -> k.backward(MAX, IN,
                k.forward(MAX, x), Tensor.zeros(new Shape(1, 2, 3, 2))), "gradOutput shape 1x2x3x2", "1x2x2x3");
        add(r, "allocating backward with null gradOutput", () -> k.backward(MAX, IN, k.forward(MAX, x), null),
                "gradOutput", "null");
        return r;
    }

    private static int[] withIndex(int at, int value) {
        int[] idx = new int[OUT];
        idx[at] = value;
        return idx;
    }

    private static void add(List<Rejection> list, String name, Executable call, String... fragments) {
        list.add(new Rejection(name, call, fragments));
    }
}
