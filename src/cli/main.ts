/**
 * The `spark-k8s` command line: the same core as the extension, on files.
 */
import { parseArgs } from 'node:util';
import { CliError } from './errors';
import { runImport } from './import';
import { runScript } from './script';

const USAGE = `usage: spark-k8s <command> [options]

commands:
  script NOTEBOOK.ipynb [-o OUT.py] [--master URL] [--conf KEY=VALUE ...] [--row-limit N]
      Write the notebook as one runnable Python script (runtime, session, translated cells).
  import IN [-o OUT] [--plain]
      Databricks exports (SOURCE .py/.sql/.scala/.r, .dbc, .html, Databricks .ipynb; a file or
      a folder) to Jupyter notebooks; --plain translates magics so any Jupyter runs them.
`;

/** Entry point; resolves with the process exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'script': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            output: { type: 'string', short: 'o' },
            master: { type: 'string' },
            conf: { type: 'string', multiple: true, default: [] },
            'row-limit': { type: 'string' }
          }
        });
        if (positionals.length !== 1) {
          throw new CliError('script takes exactly one NOTEBOOK.ipynb.');
        }
        const rowLimit =
          values['row-limit'] !== undefined
            ? Number(values['row-limit'])
            : undefined;
        if (
          rowLimit !== undefined &&
          (!Number.isInteger(rowLimit) || rowLimit <= 0)
        ) {
          throw new CliError('--row-limit must be a positive whole number.');
        }
        await runScript({
          notebook: positionals[0],
          output: values.output,
          master: values.master,
          conf: values.conf ?? [],
          rowLimit
        });
        return 0;
      }
      case 'import': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            output: { type: 'string', short: 'o' },
            plain: { type: 'boolean', default: false }
          }
        });
        if (positionals.length !== 1) {
          throw new CliError('import takes exactly one file or folder.');
        }
        const written = await runImport({
          input: positionals[0],
          output: values.output,
          plain: values.plain ?? false
        });
        for (const path of written) {
          process.stdout.write(`wrote ${path}\n`);
        }
        return 0;
      }
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}".\n${USAGE}`);
    }
  } catch (e) {
    const message =
      e instanceof CliError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? (e as Error).message
        : `unexpected error: ${(e as Error).stack ?? e}`;
    process.stderr.write(`spark-k8s: ${message}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
