package org.sparkpooling.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a local file whole or not at all: into a sibling temporary name, then renamed over the
 * target, so a failed or interrupted run never leaves a truncated result that a later run would
 * take for a real one (Hadoop's {@code FileOutputCommitter} does the same per task).
 *
 * <p>The target must be a regular file or nothing ({@link OutputGuard#requireReplaceableFile}): a
 * symbolic link is not replaced by a file, a device is not turned into one. A new file gets the
 * user's umask, as {@code open(2)} with mode 0666 would; a replaced file keeps its permissions.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** What fills the temporary file. */
    public interface ChannelWriter {
        void write(WritableByteChannel channel) throws IOException;
    }

    /** What fills the temporary file, as a stream. */
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code file} through a stream; see {@link #write(Path, String, ChannelWriter)}. */
    public static void writeStream(Path file, String role, StreamWriter writer) throws IOException {
        write(file, role, channel -> {
            OutputStream out = Channels.newOutputStream(channel);
            writer.write(out);
            out.flush();
        });
    }

    /**
     * Writes {@code file} atomically.
     *
     * @param role names the file in a refusal, e.g. {@code "--output"}
     * @throws IllegalArgumentException when {@code file} exists and is not a regular file, or its
     *                                  directory does not exist
     */
    public static void write(Path file, String role, ChannelWriter writer) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(role + " (" + file + "): directory " + dir + " does not exist");
        }
        OutputGuard.requireReplaceableFile(role, absolute);
        Path tmp = createSibling(absolute);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writer.write(channel);
                channel.force(false);
            }
            keepPermissions(absolute, tmp);
            // Checked again right before the rename: something may have appeared at the name meanwhile.
            OutputGuard.requireReplaceableFile(role, absolute);
            try {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new hidden sibling. Created without file attributes, so the OS applies the umask to 0666;
     * {@code Files.createTempFile} would make it 0600 whatever the umask.
     */
    private static Path createSibling(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = target.resolveSibling("." + target.getFileName() + "."
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** A replaced file keeps its mode, as it would had it been rewritten in place. */
    private static void keepPermissions(Path existing, Path tmp) throws IOException {
        BasicFileAttributes a = OutputGuard.attributes(existing);
        PosixFileAttributeView view = Files.getFileAttributeView(existing, PosixFileAttributeView.class);
        if (a == null || !a.isRegularFile() || view == null) {
            return;
        }
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        Files.setPosixFilePermissions(tmp, perms);
    }
}
