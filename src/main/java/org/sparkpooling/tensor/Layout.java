package org.sparkpooling.tensor;

import java.util.Locale;

/**
 * Where the channels sit in memory. Channels-first (PyTorch's default, {@code N,C,H,W}) keeps each
 * {@code (n, c)} volume contiguous; channels-last ({@code N,H,W,C}, PyTorch's
 * {@code channels_last} and {@code channels_last_3d}) keeps the channels of one position contiguous,
 * so a kernel can run its inner loop across channels.
 */
public enum Layout {
    CHANNELS_FIRST("nchw"),
    CHANNELS_LAST("nhwc");

    private final String label;

    Layout(String label) {
        this.label = label;
    }

    /** {@code nchw} or {@code nhwc}, as the command line names a layout whatever the rank. */
    public String label() {
        return label;
    }

    /**
     * The dimension letters of an array of this layout with {@code spatialRank} spatial dimensions:
     * {@code ncl}, {@code nchw}, {@code ncdhw} or {@code nlc}, {@code nhwc}, {@code ndhwc}.
     */
    public String letters(int spatialRank) {
        String spatial = switch (spatialRank) {
            case 1 -> "l";
            case 2 -> "hw";
            case 3 -> "dhw";
            default -> throw new IllegalArgumentException("spatial rank (" + spatialRank + ") must be 1, 2 or 3");
        };
        return switch (this) {
            case CHANNELS_FIRST -> "nc" + spatial;
            case CHANNELS_LAST -> "n" + spatial + "c";
        };
    }

    /** Accepts {@code nchw}/{@code nhwc} and {@code channels-first}/{@code channels-last}, any case. */
    public static Layout parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Layout l : values()) {
            if (t.equals(l.label) || t.equals(l.name().toLowerCase(Locale.ROOT).replace('_', '-'))) {
                return l;
            }
        }
        throw new IllegalArgumentException("layout (" + text + ") must be nchw or nhwc");
    }
}
