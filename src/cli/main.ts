/**
 * The `spark-k8s` command line: the same core as the extension, on files.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { CliError } from './errors';
import { runImport } from './import';
import { JOB_USAGE, runJobCommand } from './job';
import { IManifestArgs, runManifest } from './manifest';
import { runScript } from './script';

const USAGE = `usage: spark-k8s <command> [options]

commands:
  script NOTEBOOK.ipynb [-o OUT.py] [--master URL | --remote sc://HOST:PORT [--tls]
         [--token-file PATH | --token-env VAR | --no-token]] [--conf KEY=VALUE ...] [--row-limit N]
      Write the notebook as one runnable Python script (runtime, session, translated cells).
      --master local[*] (default) or spark://host:7077[,host2:7077] (a standalone cluster);
      --remote runs it against a Spark Connect server; the script reads the token when it
      runs from the file or the variable (default SPARK_CONNECT_TOKEN), never from itself;
      --no-token for a server that takes none.
  manifest NOTEBOOK.ipynb [publish options] [-o DIR]
      The job ConfigMap and SparkApplication (or ScheduledSparkApplication) that publish the
      notebook, as YAML on stdout or DIR/NAME.yaml: the same objects as the publish dialog.
  publish NOTEBOOK.ipynb [publish options] [--force] [--dry-run]
      Apply them with the kubeconfig (server-side apply after a strict dry run). Fields another
      manager owns are a conflict; --force takes them over.
      publish options: --name NAME  --operator kubeflow|apache  --namespace NS  --image IMAGE
        --spark-version V  --service-account SA  --schedule CRON --tz ZONE
        [--concurrency Allow|Forbid|Replace] [--suspend]  --param NAME=VALUE ...
        --secret-scope SCOPE=SECRET ...  --conf KEY=VALUE ...  --run-output URI  --owner USER
        --driver-memory M  --executor-memory M  --executor-cores N  --executor-instances N
        --ttl SECONDS
      Run it from the Jupyter root so the notebook path matches the one the dialog records.
  import IN [-o OUT] [--plain]
      Databricks exports (SOURCE .py/.sql/.scala/.r, .dbc, .html, Databricks .ipynb; a file or
      a folder) to Jupyter notebooks; --plain translates magics so any Jupyter runs them.
${JOB_USAGE}`;

const PUBLISH_OPTIONS: ParseArgsConfig['options'] = {
  name: { type: 'string' },
  operator: { type: 'string' },
  namespace: { type: 'string' },
  image: { type: 'string' },
  'spark-version': { type: 'string' },
  'service-account': { type: 'string' },
  schedule: { type: 'string' },
  tz: { type: 'string' },
  concurrency: { type: 'string' },
  suspend: { type: 'boolean' },
  param: { type: 'string', multiple: true, default: [] },
  'secret-scope': { type: 'string', multiple: true, default: [] },
  conf: { type: 'string', multiple: true, default: [] },
  'run-output': { type: 'string' },
  owner: { type: 'string' },
  'driver-memory': { type: 'string' },
  'executor-memory': { type: 'string' },
  'executor-cores': { type: 'string' },
  'executor-instances': { type: 'string' },
  ttl: { type: 'string' }
};

function manifestArgs(
  notebook: string,
  v: Record<string, unknown>
): IManifestArgs {
  const str = (k: string) => v[k] as string | undefined;
  const list = (k: string) => (v[k] as string[] | undefined) ?? [];
  return {
    notebook,
    name: str('name'),
    operator: str('operator'),
    namespace: str('namespace'),
    image: str('image'),
    sparkVersion: str('spark-version'),
    serviceAccount: str('service-account'),
    schedule: str('schedule'),
    tz: str('tz'),
    concurrency: str('concurrency'),
    suspend: v.suspend === true,
    params: list('param'),
    secretScopes: list('secret-scope'),
    conf: list('conf'),
    runOutput: str('run-output'),
    owner: str('owner'),
    driverMemory: str('driver-memory'),
    executorMemory: str('executor-memory'),
    executorCores: str('executor-cores'),
    executorInstances: str('executor-instances'),
    ttl: str('ttl'),
    output: str('output')
  };
}

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
            remote: { type: 'string' },
            tls: { type: 'boolean' },
            'token-file': { type: 'string' },
            'token-env': { type: 'string' },
            'no-token': { type: 'boolean' },
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
          remote: values.remote,
          tls: values.tls,
          tokenFile: values['token-file'],
          tokenEnv: values['token-env'],
          noToken: values['no-token'],
          conf: values.conf ?? [],
          rowLimit
        });
        return 0;
      }
      case 'manifest':
      case 'publish': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: <ParseArgsConfig['options']>{
            ...PUBLISH_OPTIONS,
            ...(command === 'manifest'
              ? { output: { type: 'string', short: 'o' } }
              : {
                  force: { type: 'boolean', default: false },
                  'dry-run': { type: 'boolean', default: false }
                })
          }
        });
        if (positionals.length !== 1) {
          throw new CliError(`${command} takes exactly one NOTEBOOK.ipynb.`);
        }
        const args = manifestArgs(positionals[0], values);
        if (command === 'manifest') {
          for (const path of await runManifest(args)) {
            process.stdout.write(`wrote ${path}\n`);
          }
          return 0;
        }
        // Loaded only here: the Kubernetes client needs a recent Node, the other commands do not.
        const { runPublish } = await import('./publish');
        return await runPublish(args, {
          force: (values as Record<string, unknown>).force === true,
          dryRun: (values as Record<string, unknown>)['dry-run'] === true
        });
      }
      case 'job':
        return await runJobCommand(rest);
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
