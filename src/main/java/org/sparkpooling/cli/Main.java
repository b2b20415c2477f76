package org.sparkpooling.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code scripts/pooling <command>}. One class per subcommand. */
@Command(name = "pooling",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Exact, fast CNN pooling kernels, run alone or at scale on Apache Spark.",
        subcommands = {
            CommandLine.HelpCommand.class,
            // pool:       PoolCommand.class (kernels on .npy files)

            // bench:      BenchCommand.class (the distributed job), generate: GenerateCommand.class

            DownsampleCommand.class, // downsample: the image pipeline
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a run failed (verification mismatch, nothing pooled, errors with --fail-on-error)",
            "2:invalid input or options"})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests execute it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException) {
                cmd.getErr().println("pooling " + cmd.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"spark-pooling " + (v == null ? "(development build)" : v)};
        }
    }
}
