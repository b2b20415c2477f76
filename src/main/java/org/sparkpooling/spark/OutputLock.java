package org.sparkpooling.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One owner per output directory at a time: {@value #FILE} at its root, created atomically
 * (a hard link to a complete temporary file on a local disk, so the lock is never seen half
 * written; {@code create(overwrite=false)} elsewhere, atomic on HDFS), holding its owner's host,
 * PID, process start time and run id, and removed when the run ends. A second run finds it and is
 * refused at once with the owner named. A lock whose owner is gone (same host, PID not running or
 * running a younger process) is reported as stale with what to remove; it is never broken
 * silently. On an object store without atomic create the lock is best effort.
 */
public final class OutputLock implements AutoCloseable {

    public static final String FILE = "_pooling.lock";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the lock file holds. */
    public record Owner(String host, long pid, String processStart, String runId, String command, String since) {

        static Owner current(String command) {
            ProcessHandle self = ProcessHandle.current();
            String start = self.info().startInstant().map(Instant::toString).orElse("");
            return new Owner(hostName(), self.pid(), start, UUID.randomUUID().toString(), command,
                    Instant.now().toString());
        }

        /**
         * Whether the owner is surely gone: same host, and its PID is not running or belongs to a
         * process that started at another time (the PID was reused). Another host: not known.
         */
        boolean isStale() {
            if (!host.equals(hostName())) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) {
                return true;
            }
            String start = p.get().info().startInstant().map(Instant::toString).orElse("");
            return !processStart.isEmpty() && !start.isEmpty() && !start.equals(processStart);
        }

        String describe() {
            return command + " run, pid " + pid + " on host " + host + ", since " + since;
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final Owner owner;
    private boolean released;

    private OutputLock(FileSystem fs, Path file, Owner owner) {
        this.fs = fs;
        this.file = file;
        this.owner = owner;
    }

    /**
     * Takes the lock of {@code dir} (which must exist) for {@code command}.
     *
     * @throws IllegalArgumentException naming the owner when another run holds it, or when a dead
     *                                  run left it behind
     */
    public static OutputLock acquire(FileSystem fs, Path dir, String command) throws IOException {
        Path file = new Path(dir, FILE);
        Owner me = Owner.current(command);
        byte[] bytes = JSON.writeValueAsBytes(me);
        boolean created;
        try {
            created = create(fs, file, bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("output (" + dir + ") cannot be written: " + e.getMessage(), e);
        }
        if (created) {
            return new OutputLock(fs, file, me);
        }
        Owner holder = readOwner(fs, file);
        if (holder == null) {
            throw new IllegalArgumentException("output (" + dir + ") is locked by another run (" + file
                    + " exists but does not name its owner yet, or is not a lock); if no run is writing there,"
                    + " remove that file and run again");
        }
        if (holder.isStale()) {
            throw new IllegalArgumentException("output (" + dir + ") has a stale lock: the " + holder.describe()
                    + " is no longer running (it was killed or crashed); check the output, remove "
                    + ("file".equals(fs.getUri().getScheme()) ? file.toUri().getPath() : file.toString())
                    + " and run again (--resume continues what it finished)");
        }
        throw new IllegalArgumentException("output (" + dir + ") is in use by another " + holder.describe()
                + " (" + file + "); wait for it to end");
    }

    /** The owner recorded in {@code dir}'s lock, if there is one that parses. */
    public static Owner readOwner(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? null : JSON.readValue(bytes, Owner.class);
        } catch (FileNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return null;
        }
    }

    public Owner owner() {
        return owner;
    }

    /** Removes the lock if it is still this run's. */
    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        Owner now = readOwner(fs, file);
        if (now != null && now.runId().equals(owner.runId())) {
            fs.delete(file, false);
        }
    }

    /** Creates {@code file} with {@code bytes} unless it exists; false when it does. */
    private static boolean create(FileSystem fs, Path file, byte[] bytes) throws IOException {
        if ("file".equals(fs.getUri().getScheme())) {
            java.nio.file.Path target = java.nio.file.Path.of(file.toUri());
            java.nio.file.Path tmp = target.resolveSibling("." + FILE + "." + UUID.randomUUID() + ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.createLink(target, tmp); // fails if the lock exists: atomic, and never half written
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                return createExclusive(target, bytes);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        try (OutputStream out = fs.create(file, false)) {
            out.write(bytes);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
    }

    /** A file system without hard links: O_EXCL create, then the content. */
    private static boolean createExclusive(java.nio.file.Path target, byte[] bytes) throws IOException {
        try {
            Files.write(target, bytes, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
