package org.sparkpooling.pipeline;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The output formats a run can write, any set of them ({@code --format parquet}, {@code png},
 * {@code both}, or a comma list such as {@code parquet,png}). Each constant makes its
 * {@link OutputSink}; a new format is one constant here and one sink class.
 */
public enum OutputFormat {
    /** The Parquet dataset's pixels column. */
    PARQUET(false) {
        @Override
        public OutputSink sink(String outputDir) {
            return new ParquetSink();
        }
    },
    /** PNG files per level. */
    PNG(true) {
        @Override
        public OutputSink sink(String outputDir) {
            return new PngSink(outputDir);
        }
    },
    /** An OME-Zarr store per input (NGFF 0.4, Zarr v2), every level an array; floats as float32. */
    ZARR(false) {
        @Override
        public OutputSink sink(String outputDir) {
            throw new IllegalStateException("the zarr sink needs the run's chunk size and pooling method: sink(dir, run)");
        }

        @Override
        public OutputSink sink(String outputDir, DownsampleJob.Options run) {
            return ZarrSink.of(outputDir, run);
        }
    };

    private final boolean integerSamplesOnly;

    OutputFormat(boolean integerSamplesOnly) {
        this.integerSamplesOnly = integerSamplesOnly;
    }

    /** The sink that writes this format under {@code outputDir}. */
    public abstract OutputSink sink(String outputDir);

    /** The sink of {@code run}: what the job calls; a format that needs the run's settings takes them here. */
    public OutputSink sink(String outputDir, DownsampleJob.Options run) {
        return sink(outputDir);
    }

    /** Whether the format holds only 8- and 16-bit samples, so float tensors cannot be written in it. */
    public boolean integerSamplesOnly() {
        return integerSamplesOnly;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code --format}: a format, {@code both} (Parquet and PNG, as before formats were a
     * set), or a comma list of formats.
     */
    public static Set<OutputFormat> parse(String text) {
        EnumSet<OutputFormat> set = EnumSet.noneOf(OutputFormat.class);
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            if (p.equalsIgnoreCase("both")) {
                set.add(PARQUET);
                set.add(PNG);
                continue;
            }
            OutputFormat found = null;
            for (OutputFormat f : values()) {
                if (f.label().equalsIgnoreCase(p)) {
                    found = f;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("format (" + text + ") must be parquet, png, both or a comma list of "
                        + java.util.Arrays.stream(values()).map(OutputFormat::label).toList());
            }
            set.add(found);
        }
        return set;
    }

    /** The set as {@code --format} and report.json spell it: {@code both} for Parquet and PNG. */
    public static String label(Set<OutputFormat> formats) {
        if (formats.equals(EnumSet.of(PARQUET, PNG))) {
            return "both";
        }
        StringJoiner j = new StringJoiner(",");
        for (OutputFormat f : EnumSet.copyOf(formats)) {
            j.add(f.label());
        }
        return j.toString();
    }
}
