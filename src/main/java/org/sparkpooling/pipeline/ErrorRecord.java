package org.sparkpooling.pipeline;

/** A row of the errors dataset: the input's path relative to the input root, and why it was not pooled. */
public record ErrorRecord(String path, String reason) implements java.io.Serializable {

    public ErrorRecord {
        if (path == null || reason == null) {
            throw new IllegalArgumentException("path (" + path + ") and reason (" + reason + ") must not be null");
        }
    }
}
