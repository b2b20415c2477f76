package org.sparkpooling.pool;

import java.util.Arrays;

/**
 * The family's fast loops for channels-first tensors: one {@code (n, c)} volume after another,
 * each output's window over the plan's clipped ranges, the innermost loop along a contiguous row.
 * Generic in kernel, stride and dilation (the tuned 2-D float paths stay in {@link FastKernel});
 * the double methods are the float ones with the type changed, kept as twins because Java has no
 * generics over primitive arrays, and reading elements through an interface would put a virtual
 * call in every innermost loop.
 */
final class ChannelsFirstBodies implements LayoutBodies {

    private final PoolVectorSupport v;

    ChannelsFirstBodies(PoolVectorSupport v) {
        this.v = v;
    }

    @Override
    public void max(WindowPlan q, float[] x, float[] y, int[] ind) {
        int inH = q.inH;
        int inW = q.inW;
        int sd = q.stepD;
        int sh = q.stepH;
        int sw = q.stepW;
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, o++) {
                        int arg = q.origin(od, oh, ow);
                        if (q.empty(od, oh, ow)) {
                            y[o] = Float.NEGATIVE_INFINITY;
                            ind[o] = arg;
                            continue;
                        }
                        float m = Float.NEGATIVE_INFINITY;
                        for (int d = q.d0[od]; d < q.d1[od]; d += sd) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h += sh) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w += sw) {
                                    float val = x[xb + row + w];
                                    if (val > m || val != val) {
                                        m = val;
                                        arg = row + w;
                                    }
                                }
                            }
                        }
                        // The input's own element, so a NaN keeps its payload as in the reference.
                        y[o] = x[xb + arg];
                        ind[o] = arg;
                    }
                }
            }
        }
    }

    @Override
    public void mean(WindowPlan q, float[] x, float[] y) {
        int inH = q.inH;
        int inW = q.inW;
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, o++) {
                        if (q.empty(od, oh, ow)) {
                            y[o] = 0f;
                            continue;
                        }
                        float s = 0f;
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = xb + (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    s += x[row + w];
                                }
                            }
                        }
                        y[o] = s / q.divisor(od, oh, ow);
                    }
                }
            }
        }
    }

    @Override
    public void scatter(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        Arrays.fill(gx, 0f);
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int end = o + q.outVolume; o < end; o++) {
                gx[xb + ind[o]] += gy[o];
            }
        }
    }

    @Override
    public void spread(WindowPlan q, float[] gy, float[] gx) {
        Arrays.fill(gx, 0f);
        int inH = q.inH;
        int inW = q.inW;
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, o++) {
                        if (q.empty(od, oh, ow)) {
                            continue;
                        }
                        float share = gy[o] / q.divisor(od, oh, ow);
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = xb + (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    gx[row + w] += share;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unpool(WindowPlan q, float[] x, int[] ind, float[] y) {
        Arrays.fill(y, 0f);
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                y[yb + ind[i]] = x[i];
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                gx[i] = gy[yb + ind[i]];
            }
        }
    }

    @Override
    public void max(WindowPlan q, double[] x, double[] y, int[] ind) {
        int inH = q.inH;
        int inW = q.inW;
        int sd = q.stepD;
        int sh = q.stepH;
        int sw = q.stepW;
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, o++) {
                        int arg = q.origin(od, oh, ow);
                        if (q.empty(od, oh, ow)) {
                            y[o] = Double.NEGATIVE_INFINITY;
                            ind[o] = arg;
                            continue;
                        }
                        double m = Double.NEGATIVE_INFINITY;
                        for (int d = q.d0[od]; d < q.d1[od]; d += sd) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h += sh) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w += sw) {
                                    double val = x[xb + row + w];
                                    if (val > m || val != val) {
                                        m = val;
                                        arg = row + w;
                                    }
                                }
                            }
                        }
                        // The input's own element, so a NaN keeps its payload as in the reference.
                        y[o] = x[xb + arg];
                        ind[o] = arg;
                    }
                }
            }
        }
    }

    @Override
    public void mean(WindowPlan q, double[] x, double[] y) {
        int inH = q.inH;
        int inW = q.inW;
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, o++) {
                        if (q.empty(od, oh, ow)) {
                            y[o] = 0.0;
                            continue;
                        }
                        double s = 0.0;
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = xb + (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    s += x[row + w];
                                }
                            }
                        }
                        y[o] = s / q.divisor(od, oh, ow);
                    }
                }
            }
        }
    }

    @Override
    public void scatter(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        Arrays.fill(gx, 0.0);
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int end = o + q.outVolume; o < end; o++) {
                gx[xb + ind[o]] += gy[o];
            }
        }
    }

    @Override
    public void spread(WindowPlan q, double[] gy, double[] gx) {
        Arrays.fill(gx, 0.0);
        int inH = q.inH;
        int inW = q.inW;
        int o = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int xb = v * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, o++) {
                        if (q.empty(od, oh, ow)) {
                            continue;
                        }
                        double share = gy[o] / q.divisor(od, oh, ow);
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = xb + (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    gx[row + w] += share;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unpool(WindowPlan q, double[] x, int[] ind, double[] y) {
        Arrays.fill(y, 0.0);
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                y[yb + ind[i]] = x[i];
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                gx[i] = gy[yb + ind[i]];
            }
        }
    }
}
