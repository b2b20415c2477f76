package org.sparkpooling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputGuardTest {

    @Test
    void overlapOfEveryKindIsSeenThroughLinksAndDots(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in");
        Path sub = Files.createDirectories(in.resolve("sub"));
        Path file = Files.writeString(sub.resolve("a.png"), "x");
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), in);
        Path hard = Files.createLink(dir.resolve("hard.png"), file);

        assertEquals(OutputGuard.Overlap.SAME, OutputGuard.overlap(in, alias));
        assertEquals(OutputGuard.Overlap.SAME, OutputGuard.overlap(alias.resolve("sub/../sub/a.png"), file));
        assertEquals(OutputGuard.Overlap.SAME, OutputGuard.overlap(hard, file), "a hard link is the same file");
        assertEquals(OutputGuard.Overlap.OUTPUT_INSIDE_INPUT, OutputGuard.overlap(alias.resolve("new/out"), in));
        assertEquals(OutputGuard.Overlap.OUTPUT_CONTAINS_INPUT, OutputGuard.overlap(dir, alias.resolve("sub")));
        assertEquals(OutputGuard.Overlap.APART, OutputGuard.overlap(dir.resolve("in-out"), dir.resolve("in")),
                "a common prefix of names is not containment");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputGuard.requireApart("--output", dir, "--input", file));
        assertEquals("--output (" + dir + ") contains --input (" + file + "); refusing to write over an input",
                e.getMessage());
    }

    @Test
    void onlyARegularFileOrNothingMayBeReplaced(@TempDir Path dir) throws Exception {
        OutputGuard.requireReplaceableFile("--output", dir.resolve("new.npy"));
        OutputGuard.requireReplaceableFile("--output", Files.writeString(dir.resolve("old.npy"), "x"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("old.npy"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> OutputGuard.requireReplaceableFile("--output", link)).getMessage().contains("symbolic link"));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertThrows(IllegalArgumentException.class, () -> OutputGuard.requireReplaceableFile("--output", dangling));
        assertThrows(IllegalArgumentException.class, () -> OutputGuard.requireReplaceableFile("--output", dir));
        assertThrows(IllegalArgumentException.class,
                () -> OutputGuard.requireReplaceableFile("--output", Path.of("/dev/null")));
    }

    @Test
    void atomicWriteLeavesTheOldFileWhenTheWriterFails(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("r.json"), "old");
        assertThrows(IOException.class, () -> AtomicFiles.writeStream(f, "--report", out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(f), listing.toList(), "no temporary file is left behind");
        }
        AtomicFiles.writeStream(f, "--report", out -> out.write(new byte[] {1, 2}));
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(f));
    }

    @Test
    void reportDirectoryIsCheckedBeforeTheJob(@TempDir Path dir) throws IOException {
        OutputGuard.requireReportDirectory("--report", dir.resolve("a/b"), List.of("report.json"));
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertThrows(IllegalArgumentException.class,
                () -> OutputGuard.requireReportDirectory("--report", file.resolve("sub"), List.of("report.json")));
        Files.createDirectories(dir.resolve("r/report.json"));
        assertThrows(IllegalArgumentException.class,
                () -> OutputGuard.requireReportDirectory("--report", dir.resolve("r"), List.of("report.json")));
    }
}
