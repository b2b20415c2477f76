package org.sparkpooling.pool;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a downsampling level combines each window of integer samples ({@link ImagePooling}): the
 * pipeline's {@code --mode}. Every site that treats modes differently switches on this enum without
 * a {@code default}, so a new constant makes the compiler list them.
 *
 * <ul>
 *   <li>{@code AVG}: the exact mean, rounded half to even.
 *   <li>{@code MAX}, {@code MIN}: the largest, the smallest sample.
 *   <li>{@code MODE}: the most frequent sample; of equally frequent ones, the smallest (a label
 *       image's majority label, which averaging would turn into an id no region has).
 *   <li>{@code MEDIAN}: the lower median: the {@code ((n - 1) / 2)}-th smallest of the {@code n}
 *       samples (counting from 0), so always one of them, also for an even count.
 * </ul>
 *
 * A window at a partial edge counts only its in-bounds samples. The sparse rule (zero as background)
 * is {@link ImagePooling#pool(DownsampleMode, org.sparkpooling.tensor.IntImage, int, boolean, boolean)}'s.
 *
 * <p>{@code MIN}, {@code MODE} and {@code MEDIAN} apply to integer images only: the float kernels
 * that pool float tensors ({@link PoolMode}) have no such mode ({@link #poolsFloats()}).
 */
public enum DownsampleMode {
    AVG,
    MAX,
    MIN,
    MODE,
    MEDIAN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether float tensors can be pooled this way, by a float kernel ({@link #kernelMode()}). */
    public boolean poolsFloats() {
        return switch (this) {
            case AVG, MAX -> true;
            case MIN, MODE, MEDIAN -> false;
        };
    }

    /**
     * The kernel mode that pools float planes the same way (tensor inputs).
     *
     * @throws IllegalArgumentException for the integer-only modes ({@link #poolsFloats()} false):
     *     {@code "mode (median) applies to integer images only, not float tensors"}
     */
    public PoolMode kernelMode() {
        return switch (this) {
            case AVG -> PoolMode.AVG;
            case MAX -> PoolMode.MAX;
            case MIN, MODE, MEDIAN -> throw new IllegalArgumentException(
                    "mode (" + label() + ") applies to integer images only, not float tensors");
        };
    }

    public static DownsampleMode parse(String text) {
        for (DownsampleMode m : values()) {
            if (m.label().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        List<String> labels = Arrays.stream(values()).map(DownsampleMode::label).toList();
        throw new IllegalArgumentException("mode (" + text + ") must be "
                + String.join(", ", labels.subList(0, labels.size() - 1)) + " or " + labels.get(labels.size() - 1));
    }
}
