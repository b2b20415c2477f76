package org.sparkpooling.pipeline;

/** One listed input: its full path as Spark lists it, its path relative to the input root, its size. */
public record InputFile(String path, String relativePath, long length) implements java.io.Serializable {

    public InputFile {
        if (path == null || relativePath == null || relativePath.isEmpty()) {
            throw new IllegalArgumentException("path (" + path + ") and relative path (" + relativePath
                    + ") must be given");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length (" + length + ") must be >= 0");
        }
    }
}
