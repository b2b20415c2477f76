package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** The check behind every validation test: an IllegalArgumentException whose message says what and which value. */
final class Rejections {

    private Rejections() {
    }

    static IllegalArgumentException assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    "message \"" + e.getMessage() + "\" should contain \"" + f + "\"");
        }
        return e;
    }
}
