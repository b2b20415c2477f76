package org.sparkpooling.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The checks every command makes on its output paths before it writes a byte: an output must not
 * be, contain or lie inside any input, and what an output replaces must be a plain file. Paths are
 * compared after resolving symbolic links of the part that exists, so {@code link/x.npy} and the
 * file it points to are the same path, and a hard link to an input is the same file.
 *
 * <p>Every refusal is an {@link IllegalArgumentException} naming both roles and both paths; the
 * commands turn it into one line on stderr and exit code 2.
 */
public final class OutputGuard {

    private OutputGuard() {
    }

    /** How an output lies relative to an input. */
    public enum Overlap {
        APART, SAME, OUTPUT_INSIDE_INPUT, OUTPUT_CONTAINS_INPUT;
    }

    /**
     * Refuses {@code output} when it is {@code input}, lies inside it, or contains it.
     *
     * @param outputRole e.g. {@code "--output"}
     * @param inputRole  e.g. {@code "--input"}
     */
    public static void requireApart(String outputRole, Path output, String inputRole, Path input) {
        Overlap overlap = overlap(output, input);
        String what = switch (overlap) {
            case APART -> null;
            case SAME -> "is the same path as";
            case OUTPUT_INSIDE_INPUT -> "lies inside";
            case OUTPUT_CONTAINS_INPUT -> "contains";
        };
        if (what != null) {
            throw new IllegalArgumentException(outputRole + " (" + output + ") " + what + " " + inputRole + " ("
                    + input + "); refusing to write over an input");
        }
    }

    /** Where {@code output} lies relative to {@code input}, both resolved as {@link #canonical} does. */
    public static Overlap overlap(Path output, Path input) {
        Path out = canonical(output);
        Path in = canonical(input);
        if (out.equals(in) || sameExistingFile(out, in)) {
            return Overlap.SAME;
        }
        if (out.startsWith(in)) {
            return Overlap.OUTPUT_INSIDE_INPUT;
        }
        if (in.startsWith(out)) {
            return Overlap.OUTPUT_CONTAINS_INPUT;
        }
        return Overlap.APART;
    }

    /**
     * The absolute, normalised path with every symbolic link resolved in its longest existing
     * prefix; the part that does not exist yet is appended as given. Two names of one file give one
     * path.
     */
    public static Path canonical(Path path) {
        // Not normalised first: after a symbolic link, ".." is the target's parent, which
        // toRealPath resolves and a lexical normalize would not.
        Path absolute = path.toAbsolutePath();
        Path existing = absolute;
        Path rest = null;
        while (existing != null) {
            try {
                Path real = existing.toRealPath();
                return rest == null ? real : real.resolve(rest).normalize();
            } catch (IOException e) {
                Path name = existing.getFileName();
                if (name == null) {
                    break;
                }
                rest = rest == null ? name : name.resolve(rest);
                existing = existing.getParent();
            }
        }
        return absolute.normalize();
    }

    /**
     * Refuses to replace what {@code file} names unless it is a regular file (or nothing yet): a
     * symbolic link would be replaced by a file (and the file it pointed at left stale), and a
     * device such as {@code /dev/full} would be turned into a regular file.
     */
    public static void requireReplaceableFile(String role, Path file) {
        BasicFileAttributes a = attributes(file);
        if (a == null) {
            return;
        }
        if (a.isSymbolicLink()) {
            throw new IllegalArgumentException(role + " (" + file + ") is a symbolic link; refusing to replace it"
                    + " (give the path it points to, or remove the link)");
        }
        if (a.isDirectory()) {
            throw new IllegalArgumentException(role + " (" + file + ") is a directory");
        }
        if (!a.isRegularFile()) {
            throw new IllegalArgumentException(role + " (" + file + ") is not a regular file (a device, pipe or"
                    + " socket); refusing to replace it");
        }
    }

    /**
     * Checks, before a job runs, that {@code files} can be written into {@code dir} when it ends:
     * {@code dir} is a directory or does not exist yet (and its nearest existing ancestor is a
     * directory), and each file there is a regular file or absent. A job of minutes should not
     * fail at its last step on a path that was wrong from the start.
     */
    public static void requireReportDirectory(String role, Path dir, java.util.List<String> files) {
        Path absolute = dir.toAbsolutePath().normalize();
        for (Path p = absolute; p != null; p = p.getParent()) {
            BasicFileAttributes a = attributes(p);
            if (a == null) {
                continue;
            }
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException(role + " (" + dir + ") cannot be a directory: " + p
                        + " is a file");
            }
            if (!Files.isWritable(p)) {
                throw new IllegalArgumentException(role + " (" + dir + ") cannot be written: " + p
                        + " is not writable");
            }
            break;
        }
        for (String name : files) {
            requireReplaceableFile(role, absolute.resolve(name));
        }
    }

    /** The file's own attributes, not its link target's; {@code null} when nothing is there. */
    static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean sameExistingFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
