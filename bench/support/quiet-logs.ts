/**
 * Imported first by a benchmark: the process-wide logger takes its level from LOG_LEVEL when the
 * first logger is made, which happens while the modules load, before the benchmark's own code.
 */
process.env.LOG_LEVEL ??= 'warn';
