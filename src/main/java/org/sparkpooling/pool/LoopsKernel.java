package org.sparkpooling.pool;

import java.util.Arrays;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The readable reference: direct nested loops over every output and its window, the textbook's
 * method 1, written to mirror PyTorch's CPU kernels. Every other implementation is tested against
 * this one.
 */
public final class LoopsKernel implements PoolKernel {

    @Override
    public String name() {
        return "loops";
    }

    @Override
    public void forward(PoolSpec spec, Tensor input, float[] output, int[] indices) {
        PoolGeometry g = PoolGeometry.forForward(spec, input, output, indices);
        Shape s = input.shape();
        float[] x = input.data();
        int inPlane = s.planeSize();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < s.planes(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int o = p * outPlane + oh * g.outW() + ow;
                    if (spec.mode() == PoolMode.MAX) {
                        maxWindow(spec, g, x, p * inPlane, oh, ow, output, indices, o);
                    } else {
                        output[o] = avgWindow(spec, g, x, p * inPlane, oh, ow);
                    }
                }
            }
        }
    }

    /**
     * PyTorch's rule: start from -inf at the first in-bounds element, take a value when it is
     * strictly greater (so ties keep the first in raster order) or NaN (so NaN wins, the last NaN's
     * index is kept). Padding is never read.
     */
    private static void maxWindow(PoolSpec spec, PoolGeometry g, float[] x, int base, int oh, int ow,
            float[] output, int[] indices, int o) {
        int h0 = oh * spec.strideH() - spec.padH();
        int w0 = ow * spec.strideW() - spec.padW();
        int hEnd = Math.min(h0 + spec.effectiveKernelH(), g.inH());
        int wEnd = Math.min(w0 + spec.effectiveKernelW(), g.inW());
        while (h0 < 0) {
            h0 += spec.dilationH();
        }
        while (w0 < 0) {
            w0 += spec.dilationW();
        }
        float max = Float.NEGATIVE_INFINITY;
        int arg = h0 * g.inW() + w0;
        for (int h = h0; h < hEnd; h += spec.dilationH()) {
            for (int w = w0; w < wEnd; w += spec.dilationW()) {
                int i = h * g.inW() + w;
                float v = x[base + i];
                if (v > max || Float.isNaN(v)) {
                    max = v;
                    arg = i;
                }
            }
        }
        output[o] = max;
        if (indices != null) {
            indices[o] = arg;
        }
    }

    private static float avgWindow(PoolSpec spec, PoolGeometry g, float[] x, int base, int oh, int ow) {
        int h0 = Math.max(oh * spec.strideH() - spec.padH(), 0);
        int w0 = Math.max(ow * spec.strideW() - spec.padW(), 0);
        int h1 = Math.min(oh * spec.strideH() - spec.padH() + spec.kernelH(), g.inH());
        int w1 = Math.min(ow * spec.strideW() - spec.padW() + spec.kernelW(), g.inW());
        float sum = 0f;
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                sum += x[base + h * g.inW() + w];
            }
        }
        // A window wholly in the padding (possible only with ceil mode) averages nothing.
        return h0 >= h1 || w0 >= w1 ? 0f : sum / g.avgDivisor(oh, ow);
    }

    @Override
    public void backward(PoolSpec spec, Shape inputShape, float[] gradOutput, int[] indices, float[] gradInput) {
        PoolGeometry g = PoolGeometry.forBackward(spec, inputShape, gradOutput, indices, gradInput);
        Arrays.fill(gradInput, 0f);
        int inPlane = inputShape.planeSize();
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < inputShape.planes(); p++) {
            int inBase = p * inPlane;
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int o = p * outPlane + oh * g.outW() + ow;
                    if (spec.mode() == PoolMode.MAX) {
                        gradInput[inBase + indices[o]] += gradOutput[o];
                    } else {
                        spreadAvg(spec, g, gradOutput[o], gradInput, inBase, oh, ow);
                    }
                }
            }
        }
    }

    private static void spreadAvg(PoolSpec spec, PoolGeometry g, float grad, float[] gradInput, int base,
            int oh, int ow) {
        int h0 = Math.max(oh * spec.strideH() - spec.padH(), 0);
        int w0 = Math.max(ow * spec.strideW() - spec.padW(), 0);
        int h1 = Math.min(oh * spec.strideH() - spec.padH() + spec.kernelH(), g.inH());
        int w1 = Math.min(ow * spec.strideW() - spec.padW() + spec.kernelW(), g.inW());
        if (h0 >= h1 || w0 >= w1) {
            return;
        }
        float share = grad / g.avgDivisor(oh, ow);
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                gradInput[base + h * g.inW() + w] += share;
            }
        }
    }
}
