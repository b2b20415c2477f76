package org.sparkpooling.pipeline;

/** An input that cannot become a pyramid; its message is the reason written to the errors dataset. */
public final class BadImageException extends Exception {

    private static final long serialVersionUID = 1L;

    public BadImageException(String reason) {
        super(reason);
    }

    public BadImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
