package org.sparkpooling.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The command line: {@code scripts/pooling <command>}. One class per subcommand. */
@Command(name = "pooling",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Exact, fast CNN pooling kernels, run alone or at scale on Apache Spark.",
        subcommands = {
            CommandLine.HelpCommand.class,
            PoolCommand.class,

            BenchCommand.class, GenerateCommand.class,

            DownsampleCommand.class, // downsample: the image pipeline
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a run failed (verification mismatch, nothing pooled, errors with --fail-on-error, a job that failed)",
            "2:invalid input or options"})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests execute it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                // A refusal: the input or options are wrong, found before or while the job started.
                cmd.getErr().println("pooling " + cmd.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException
                    || e instanceof org.apache.spark.SparkException) {
                // The job ran and failed (a disk, the cluster): one line; Spark's log above has the trace.
                cmd.getErr().println("pooling " + cmd.getCommandName() + ": failed: " + rootCause(e));
                return 1;
            }
            throw e;
        });
        // A refusal is one line naming the option and value (and, for a mistyped option, what was
        // probably meant); --help has the rest.
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            String hint = "";
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                hint = " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage() + hint);
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    /** The innermost cause's class and message: an I/O message is often just a path. */
    static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spark-pooling " + org.sparkpooling.io.ProjectVersion.get()};
        }
    }
}
