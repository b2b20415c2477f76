package org.sparkpooling.pipeline;

/**
 * An image whose header claims more pixels than a task may hold whole ({@link DownsampleSpec#taskPixels}):
 * not an error, a signal to read it in bands instead. Thrown before any pixel is decoded.
 */
final class TooLargeForTask extends Exception {

    private static final long serialVersionUID = 1L;

    TooLargeForTask(int width, int height, long taskPixels) {
        super(width + "x" + height + " (" + (long) width * height + " pixels) exceeds the task budget (" + taskPixels
                + " pixels)");
    }
}
