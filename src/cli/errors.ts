/** An error the CLI reports as one plain line and exit status 2. */
export class CliError extends Error {}
