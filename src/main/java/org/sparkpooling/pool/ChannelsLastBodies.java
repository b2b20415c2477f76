package org.sparkpooling.pool;

import java.util.Arrays;

/**
 * The family's fast loops for channels-last tensors ({@code N, D, H, W, C}): every output position
 * of a batch element, every cell of its window, and innermost all {@code C} channels of that cell,
 * which lie side by side in memory, so the channel loops are unit-stride over whole rows: the shape
 * a vectorising compiler or the later SIMD bodies need. No transpose: the layout's own order throughout. The
 * double methods are the float ones with the type changed (see {@link ChannelsFirstBodies}).
 */
final class ChannelsLastBodies implements LayoutBodies {

    static final ChannelsLastBodies INSTANCE = new ChannelsLastBodies();

    private ChannelsLastBodies() {
    }

    @Override
    public void max(WindowPlan q, float[] x, float[] y, int[] ind) {
        int c = q.channels;
        int inH = q.inH;
        int inW = q.inW;
        int sd = q.stepD;
        int sh = q.stepH;
        int sw = q.stepW;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        int first = q.origin(od, oh, ow);
                        Arrays.fill(ind, yRow, yRow + c, first);
                        if (q.empty(od, oh, ow)) {
                            Arrays.fill(y, yRow, yRow + c, Float.NEGATIVE_INFINITY);
                            continue;
                        }
                        // Starting from the first cell is the reference's start from -inf at its
                        // index; the first cell is then compared with itself, which changes nothing.
                        System.arraycopy(x, (xb + first) * c, y, yRow, c);
                        for (int d = q.d0[od]; d < q.d1[od]; d += sd) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h += sh) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w += sw) {
                                    int cell = row + w;
                                    int xRow = (xb + cell) * c;
                                    for (int k = 0; k < c; k++) {
                                        float val = x[xRow + k];
                                        if (val > y[yRow + k] || val != val) {
                                            y[yRow + k] = val;
                                            ind[yRow + k] = cell;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void mean(WindowPlan q, float[] x, float[] y) {
        int c = q.channels;
        int inH = q.inH;
        int inW = q.inW;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        Arrays.fill(y, yRow, yRow + c, 0f);
                        if (q.empty(od, oh, ow)) {
                            continue;
                        }
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    int xRow = (xb + row + w) * c;
                                    for (int k = 0; k < c; k++) {
                                        y[yRow + k] += x[xRow + k];
                                    }
                                }
                            }
                        }
                        float divisor = q.divisor(od, oh, ow);
                        for (int k = 0; k < c; k++) {
                            y[yRow + k] /= divisor;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void scatter(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        Arrays.fill(gx, 0f);
        int c = q.channels;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int end = yRow + q.outVolume * c; yRow < end; yRow += c) {
                for (int k = 0; k < c; k++) {
                    gx[(xb + ind[yRow + k]) * c + k] += gy[yRow + k];
                }
            }
        }
    }

    @Override
    public void spread(WindowPlan q, float[] gy, float[] gx) {
        Arrays.fill(gx, 0f);
        int c = q.channels;
        int inH = q.inH;
        int inW = q.inW;
        float[] share = new float[c];
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        if (q.empty(od, oh, ow)) {
                            continue;
                        }
                        float divisor = q.divisor(od, oh, ow);
                        for (int k = 0; k < c; k++) {
                            share[k] = gy[yRow + k] / divisor;
                        }
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    int xRow = (xb + row + w) * c;
                                    for (int k = 0; k < c; k++) {
                                        gx[xRow + k] += share[k];
                                    }
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
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    y[(yb + ind[xRow + k]) * c + k] = x[xRow + k];
                }
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    gx[xRow + k] = gy[(yb + ind[xRow + k]) * c + k];
                }
            }
        }
    }

    @Override
    public void max(WindowPlan q, double[] x, double[] y, int[] ind) {
        int c = q.channels;
        int inH = q.inH;
        int inW = q.inW;
        int sd = q.stepD;
        int sh = q.stepH;
        int sw = q.stepW;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        int first = q.origin(od, oh, ow);
                        Arrays.fill(ind, yRow, yRow + c, first);
                        if (q.empty(od, oh, ow)) {
                            Arrays.fill(y, yRow, yRow + c, Double.NEGATIVE_INFINITY);
                            continue;
                        }
                        // Starting from the first cell is the reference's start from -inf at its
                        // index; the first cell is then compared with itself, which changes nothing.
                        System.arraycopy(x, (xb + first) * c, y, yRow, c);
                        for (int d = q.d0[od]; d < q.d1[od]; d += sd) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h += sh) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w += sw) {
                                    int cell = row + w;
                                    int xRow = (xb + cell) * c;
                                    for (int k = 0; k < c; k++) {
                                        double val = x[xRow + k];
                                        if (val > y[yRow + k] || val != val) {
                                            y[yRow + k] = val;
                                            ind[yRow + k] = cell;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void mean(WindowPlan q, double[] x, double[] y) {
        int c = q.channels;
        int inH = q.inH;
        int inW = q.inW;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        Arrays.fill(y, yRow, yRow + c, 0.0);
                        if (q.empty(od, oh, ow)) {
                            continue;
                        }
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    int xRow = (xb + row + w) * c;
                                    for (int k = 0; k < c; k++) {
                                        y[yRow + k] += x[xRow + k];
                                    }
                                }
                            }
                        }
                        double divisor = q.divisor(od, oh, ow);
                        for (int k = 0; k < c; k++) {
                            y[yRow + k] /= divisor;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void scatter(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        Arrays.fill(gx, 0.0);
        int c = q.channels;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int end = yRow + q.outVolume * c; yRow < end; yRow += c) {
                for (int k = 0; k < c; k++) {
                    gx[(xb + ind[yRow + k]) * c + k] += gy[yRow + k];
                }
            }
        }
    }

    @Override
    public void spread(WindowPlan q, double[] gy, double[] gx) {
        Arrays.fill(gx, 0.0);
        int c = q.channels;
        int inH = q.inH;
        int inW = q.inW;
        double[] share = new double[c];
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        if (q.empty(od, oh, ow)) {
                            continue;
                        }
                        double divisor = q.divisor(od, oh, ow);
                        for (int k = 0; k < c; k++) {
                            share[k] = gy[yRow + k] / divisor;
                        }
                        for (int d = q.d0[od]; d < q.d1[od]; d++) {
                            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                                int row = (d * inH + h) * inW;
                                for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                                    int xRow = (xb + row + w) * c;
                                    for (int k = 0; k < c; k++) {
                                        gx[xRow + k] += share[k];
                                    }
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
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    y[(yb + ind[xRow + k]) * c + k] = x[xRow + k];
                }
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    gx[xRow + k] = gy[(yb + ind[xRow + k]) * c + k];
                }
            }
        }
    }
}
