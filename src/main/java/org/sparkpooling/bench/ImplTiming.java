package org.sparkpooling.bench;

import java.io.Serializable;

/**
 * One implementation on one block: the timed forward+backward loop and its verification against
 * the reference.
 *
 * @param nanos      System.nanoTime over {@code iterations} forward+backward calls, warm-up excluded
 * @param mismatch   the first difference found, or {@code null} when both passes verified
 */
public record ImplTiming(String name, long nanos, boolean forward, boolean backward, String mismatch)
        implements Serializable {
}
