package org.sparkpooling.pool;

/**
 * The scalar twin of {@code PanamaPoolSupport}: the same rows, the same order of operations, so
 * a test can hold the SIMD code to it lane for lane. It is also what {@link PoolVectorization}
 * returns when SIMD is off, which keeps {@link FastKernel} to one code path.
 */
final class ScalarPoolSupport implements PoolVectorSupport {

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void maxRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw,
            int owFrom, int owTo, float[] out, int[] ind, int o) {
        for (int ow = owFrom; ow < owTo; ow++) {
            int i = origin + ow * sw;
            float m = x[inBase + i];
            int k = i;
            for (int r = 0; r < kh; r++) {
                for (int d = r == 0 ? 1 : 0; d < kw; d++) {
                    int j = i + r * inW + d;
                    float v = x[inBase + j];
                    if (v > m || v != v) {
                        m = v;
                        k = j;
                    }
                }
            }
            out[o + ow] = m;
            ind[o + ow] = k;
        }
    }

    @Override
    public void avgRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw, float reciprocal,
            int owFrom, int owTo, float[] out, int o) {
        for (int ow = owFrom; ow < owTo; ow++) {
            int a = inBase + origin + ow * sw;
            float s = x[a];
            for (int r = 0; r < kh; r++) {
                for (int d = r == 0 ? 1 : 0; d < kw; d++) {
                    s += x[a + r * inW + d];
                }
            }
            out[o + ow] = s * reciprocal;
        }
    }

    @Override
    public void max2x2s2Plane(float[] x, int inBase, int inW, int outH, int outW, float[] out, int[] ind, int o) {
        for (int oh = 0; oh < outH; oh++) {
            maxRow(x, inBase, 2 * oh * inW, inW, 2, 2, 2, 0, outW, out, ind, o + oh * outW);
        }
    }

    @Override
    public boolean maxBackward2x2s2Plane(float[] gradOutput, int[] ind, int o, int inW, int outH, int outW,
            float[] gradInput, int inBase) {
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int i = 2 * oh * inW + 2 * ow;
                int g = o + oh * outW + ow;
                int local = ind[g] - i;
                if (local != 0 && local != 1 && local != inW && local != inW + 1) {
                    return false;
                }
                float v = 0f + gradOutput[g];
                int a = inBase + i;
                gradInput[a] = local == 0 ? v : 0f;
                gradInput[a + 1] = local == 1 ? v : 0f;
                gradInput[a + inW] = local == inW ? v : 0f;
                gradInput[a + inW + 1] = local == inW + 1 ? v : 0f;
            }
        }
        return true;
    }
}
