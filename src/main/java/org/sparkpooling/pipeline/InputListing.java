package org.sparkpooling.pipeline;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.sparkpooling.io.OutputGuard;

/**
 * The files under {@code --input}: a directory (searched recursively), a file, or a Hadoop glob
 * such as {@code /photos/*&#47;*.jpg}, each with its path relative to the input root (the
 * directory itself, or for a glob its longest directory prefix without glob characters), sorted
 * by that path. Names Spark's own listing hides (starting with {@code .} or {@code _}) are skipped.
 *
 * <p>On a local disk symbolic links are followed, but each directory is visited once: a link back
 * to an ancestor is reported as a loop and not entered (Hadoop's listing follows it until the path
 * is too long). A dangling link or an unreadable entry is an {@link ErrorRecord}, so it is counted
 * and written like any input that could not be pooled. The output directory is never listed.
 */
public final class InputListing {

    /** What a listing found: files to pool, entries that are inputs but cannot be read, loops skipped. */
    public record Listing(Path root, List<InputFile> files, List<ErrorRecord> errors, List<String> loops) {
        public Listing {
            files = List.copyOf(files);
            errors = List.copyOf(errors);
            loops = List.copyOf(loops);
        }

        public int count() {
            return files.size() + errors.size();
        }
    }

    private InputListing() {
    }

    /**
     * Lists {@code input}, leaving out {@code output} (qualified) and everything under it.
     *
     * @throws IllegalArgumentException when the input does not exist or a glob matches nothing
     */
    public static Listing list(Configuration hadoop, String input, Path output) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(hadoop);
        FileStatus[] matches;
        Path root;
        int glob = firstGlobChar(input);
        if (glob >= 0) {
            int slash = input.lastIndexOf('/', glob);
            root = new Path(slash <= 0 ? (slash == 0 ? "/" : ".") : input.substring(0, slash));
            matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new IllegalArgumentException("input (" + input + ") matches no files");
            }
        } else {
            FileStatus st;
            try {
                st = fs.getFileStatus(p);
            } catch (java.io.FileNotFoundException e) {
                throw new IllegalArgumentException("input (" + input + ") does not exist");
            }
            root = st.isDirectory() ? p : p.getParent();
            matches = new FileStatus[] {st};
        }
        root = fs.makeQualified(root);
        List<InputFile> files = new ArrayList<>();
        List<ErrorRecord> errors = new ArrayList<>();
        List<String> loops = new ArrayList<>();
        boolean local = "file".equals(fs.getUri().getScheme());
        for (FileStatus m : matches) {
            if (local) {
                walkLocal(java.nio.file.Path.of(fs.makeQualified(m.getPath()).toUri()),
                        java.nio.file.Path.of(root.toUri()), java.nio.file.Path.of(output.toUri()), files, errors,
                        loops);
            } else {
                walkRemote(fs, fs.makeQualified(m.getPath()), root, output, files);
            }
        }
        files.sort(Comparator.comparing(InputFile::relativePath));
        errors.sort(Comparator.comparing(ErrorRecord::path));
        return new Listing(root, files, errors, loops);
    }

    /** Spark's rule for files its listing leaves out (InMemoryFileIndex.shouldFilterOutPathName). */
    static boolean hidden(String name) {
        return (name.startsWith("_") && !name.contains("=")) || name.startsWith(".") || name.endsWith("._COPYING_");
    }

    private static void walkLocal(java.nio.file.Path start, java.nio.file.Path root, java.nio.file.Path output,
            List<InputFile> files, List<ErrorRecord> errors, List<String> loops) throws IOException {
        java.nio.file.Path outputReal = OutputGuard.canonical(output);
        Files.walkFileTree(start, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(java.nio.file.Path dir, BasicFileAttributes a) {
                        if (!dir.equals(start) && hidden(dir.getFileName().toString())) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        return OutputGuard.canonical(dir).startsWith(outputReal) ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(java.nio.file.Path file, BasicFileAttributes a) throws IOException {
                        if (!file.equals(start) && hidden(file.getFileName().toString())) {
                            return FileVisitResult.CONTINUE;
                        }
                        String rel = relative(root, file);
                        if (a.isSymbolicLink()) {
                            // Following failed: the walker falls back to the link's own attributes.
                            errors.add(new ErrorRecord(rel, "dangling symbolic link (to "
                                    + Files.readSymbolicLink(file) + ")"));
                        } else if (a.isRegularFile()) {
                            if (!OutputGuard.canonical(file).startsWith(outputReal)) {
                                files.add(new InputFile(new Path(file.toUri()).toString(), rel, a.size()));
                            }
                        } else if (!a.isDirectory()) {
                            errors.add(new ErrorRecord(rel, "not a regular file (a device, pipe or socket)"));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(java.nio.file.Path file, IOException e) {
                        String rel = relative(root, file);
                        if (e instanceof FileSystemLoopException) {
                            loops.add(rel);
                        } else if (e instanceof AccessDeniedException) {
                            errors.add(new ErrorRecord(rel, "cannot be read: permission denied"));
                        } else if (e instanceof NoSuchFileException) {
                            errors.add(new ErrorRecord(rel, "vanished while listing"));
                        } else {
                            errors.add(new ErrorRecord(rel, "cannot be listed: " + e));
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    private static void walkRemote(FileSystem fs, Path start, Path root, Path output, List<InputFile> files)
            throws IOException {
        String outputText = output.toString();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(start, true);
        String rootText = withSlash(root.toString());
        while (it.hasNext()) {
            LocatedFileStatus s = it.next();
            String path = fs.makeQualified(s.getPath()).toString();
            if (path.equals(outputText) || path.startsWith(withSlash(outputText))) {
                continue;
            }
            String rel = path.startsWith(rootText) ? path.substring(rootText.length()) : s.getPath().getName();
            boolean skip = false;
            for (String part : rel.split("/")) {
                skip |= hidden(part);
            }
            if (!skip) {
                files.add(new InputFile(path, rel, s.getLen()));
            }
        }
    }

    private static String relative(java.nio.file.Path root, java.nio.file.Path file) {
        java.nio.file.Path rel = root.relativize(file);
        String text = rel.toString().replace(java.io.File.separatorChar, '/');
        return text.isEmpty() ? file.getFileName().toString() : text;
    }

    private static String withSlash(String s) {
        return s.endsWith("/") ? s : s + "/";
    }

    static int firstGlobChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[{".indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
