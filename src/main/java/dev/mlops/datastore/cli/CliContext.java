package dev.mlops.datastore.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * What a command may use of the process it runs in, passed rather than fetched so a test runs the
 * same code with its own streams, variables and terminal answer.
 *
 * @param env the environment variables (the AWS region and endpoint variables among them)
 * @param terminal whether stdout is a terminal: the default output is then text, else JSON
 */
record CliContext(Map<String, String> env, boolean terminal, PrintStream out, PrintStream err) {}
