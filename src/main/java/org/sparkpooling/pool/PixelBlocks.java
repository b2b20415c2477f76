package org.sparkpooling.pool;

/**
 * How the few-channel channels-last rows ({@link PoolVectorSupport#maxAt}, {@link
 * PoolVectorSupport#sumAt}, {@link PoolVectorSupport#spreadMaxRowsAt}, {@link
 * PoolVectorSupport#spreadSumRowsAt}) read whole vectors instead of gathering lane by lane.
 *
 * <p>Forward: a block of two output pixels ({@link #block} elements) takes tap
 * {@code t} of pixel {@code p}'s lanes from the vector loaded at the block's first input element
 * plus {@code offsets[t * 2 + p]}, in the same lanes, so a tap is loads and blends, no
 * rearrange: lane {@code l} of pixel {@code p} wants input element
 * {@code p * windowStep + (l - p * c) + t * tapStep}, which is lane {@code l} of the load at
 * {@code p * (windowStep - c) + t * tapStep}.
 *
 * <p>Backward, windows that tile the row: input lane {@code l} of a block takes output element
 * {@code offsets[l]} and window {@code windowOf[l]} of vectors loaded at the block's first output,
 * one rearrange each.
 *
 * <p>The lanes from {@code block} on are don't-cares, overwritten by what is written after them.
 * Gathers were the cost of those rows on the 2-core AMD machine of 2026-12-03: the textbook's
 * channels-last forward + backward took 371 us against 68 us channels-first.
 */
final class PixelBlocks {

    /** Elements per block; a multiple of the channels. */
    final int block;
    /**
     * Forward: per tap, then pixel, the load's offset from the block's first input element.
     * Backward: per input lane, its output element from the block's first.
     */
    final int[] offsets;
    /** Backward: per input lane, its window from the block's first; null forward. */
    final int[] windowOf;
    /** Elements a block reads from its first (forward), for the bounds check. */
    final int reach;

    private PixelBlocks(int block, int[] offsets, int[] windowOf, int reach) {
        this.block = block;
        this.offsets = offsets;
        this.windowOf = windowOf;
        this.reach = reach;
    }

    /**
     * Forward: windows {@code windowStep} elements apart, {@code taps} taps {@code tapStep} apart, on
     * {@code c} channels; the one shape there is a form for: two pixels a block ({@code c} of 3 or 4
     * on 8 lanes, RGB and RGBA) and two taps a row (2-wide windows, the textbook's), else null.
     */
    static PixelBlocks forward(int lanes, int c, int windowStep, int taps, int tapStep) {
        int pixels = lanes / c;
        if (pixels != 2 || taps != 2) {
            return null;
        }
        int[] offsets = new int[taps * pixels];
        int reach = 0;
        for (int t = 0; t < taps; t++) {
            for (int p = 0; p < pixels; p++) {
                offsets[t * pixels + p] = p * (windowStep - c) + t * tapStep;
                reach = Math.max(reach, offsets[t * pixels + p] + lanes);
            }
        }
        return new PixelBlocks(pixels * c, offsets, null, reach);
    }

    /**
     * Backward of windows that tile a row ({@code kw} pixels, stride {@code kw}, no dilation): input
     * lane {@code l} takes output element {@code (l / c / kw) * c + l % c} of one vector loaded at the
     * block's first output, and window {@code l / c / kw}; blocks of whole windows, or null when one
     * window is wider than a vector.
     */
    static PixelBlocks tiles(int lanes, int c, int kw) {
        int windows = lanes / (c * kw);
        if (windows == 0) {
            return null;
        }
        int block = windows * c * kw;
        int[] at = new int[lanes];
        int[] window = new int[lanes];
        for (int l = 0; l < block; l++) {
            at[l] = l / c / kw * c + l % c;
            window[l] = l / c / kw;
        }
        return new PixelBlocks(block, at, window, lanes);
    }
}
