/**
 * `spark-k8s manifest` and `spark-k8s publish`: a notebook as the job
 * ConfigMap and the (Scheduled)SparkApplication, the same objects the publish
 * dialog builds, written as YAML or applied with the kubeconfig.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildPublication,
  closureSources,
  IPublication,
  IPublishForm,
  IPublishSource,
  notebookParameters,
  Operator,
  publishDefaults,
  scheduleDefaults,
  scopesForUses,
  secretUses
} from '../core';
import { CliError } from './errors';
import { notebookLocation, parseConfPairs, readNotebook } from './script';

/** Options of the manifest and publish commands. */
export interface IManifestArgs {
  notebook: string;
  name?: string;
  operator?: string;
  namespace?: string;
  image?: string;
  sparkVersion?: string;
  serviceAccount?: string;
  schedule?: string;
  tz?: string;
  concurrency?: string;
  suspend?: boolean;
  params: string[];
  secretScopes: string[];
  conf: string[];
  runOutput?: string;
  owner?: string;
  driverMemory?: string;
  executorMemory?: string;
  executorCores?: string;
  executorInstances?: string;
  ttl?: string;
  output?: string;
}

/** `KEY=VALUE` pairs; the flag is named in the error. */
function pairs(flag: string, list: string[]): Record<string, string> {
  try {
    return parseConfPairs(list);
  } catch {
    const bad = list.find(p => p.indexOf('=') <= 0) ?? '';
    throw new CliError(`${flag} "${bad}" is not NAME=VALUE.`);
  }
}

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new CliError(`${flag} must be a whole number, not "${value}".`);
  }
  return n;
}

/** The notebook and its `%run` targets, resolved as the browser resolves them. */
export function fileSource(file: string): IPublishSource {
  const { path, load } = notebookLocation(file);
  return { notebook: readNotebook(file), path, load };
}

/** The form the flags describe, over the defaults the dialog starts from. */
export async function formFor(
  args: IManifestArgs,
  source: IPublishSource
): Promise<IPublishForm> {
  if (
    args.operator !== undefined &&
    args.operator !== 'kubeflow' &&
    args.operator !== 'apache'
  ) {
    throw new CliError(
      `--operator must be kubeflow or apache, not "${args.operator}".`
    );
  }
  if (args.tz !== undefined && args.schedule === undefined) {
    throw new CliError('--tz needs --schedule.');
  }
  const sources = await closureSources(source);
  const mapping = pairs('--secret-scope', args.secretScopes);
  const form = publishDefaults({
    notebookPath: source.path,
    namespace: args.namespace ?? 'default',
    serviceAccount: args.serviceAccount,
    parameters: {
      ...notebookParameters(source.notebook, sources),
      ...pairs('--param', args.params)
    },
    secretScopes: scopesForUses(secretUses(sources), mapping),
    timeZone: args.tz ?? 'UTC',
    owner: args.owner ?? process.env.JUPYTERHUB_USER,
    operator: args.operator as Operator | undefined,
    runOutput: args.runOutput
  });
  if (args.name !== undefined) {
    form.name = args.name;
  }
  if (args.image !== undefined) {
    form.image = args.image;
  }
  if (args.sparkVersion !== undefined) {
    form.sparkVersion = args.sparkVersion;
  }
  Object.assign(form.sparkConf, pairs('--conf', args.conf));
  if (args.driverMemory !== undefined) {
    form.driver.memory = args.driverMemory;
  }
  if (args.executorMemory !== undefined) {
    form.executor.memory = args.executorMemory;
  }
  const cores = whole('--executor-cores', args.executorCores);
  if (cores !== undefined) {
    form.executor.cores = cores;
  }
  const instances = whole('--executor-instances', args.executorInstances);
  if (instances !== undefined) {
    form.executor.instances = instances;
  }
  const ttl = whole('--ttl', args.ttl);
  if (ttl !== undefined) {
    form.timeToLiveSeconds = ttl;
  }
  if (args.schedule !== undefined) {
    form.schedule = {
      ...scheduleDefaults(args.tz ?? 'UTC'),
      schedule: args.schedule
    };
    if (args.concurrency !== undefined) {
      form.schedule.concurrencyPolicy = args.concurrency as 'Forbid';
    }
    if (args.suspend) {
      form.schedule.suspend = true;
    }
  }
  return form;
}

/** Builds the publication, or throws one error listing every problem (with its flag). */
export async function publicationFor(
  args: IManifestArgs
): Promise<IPublication> {
  const source = fileSource(args.notebook);
  const form = await formFor(args, source);
  const result = await buildPublication(source, form);
  if ('problems' in result) {
    throw new CliError(
      `cannot publish ${args.notebook}:\n` +
        result.problems
          .map(p => `  ${p.field ? `${p.field}: ` : ''}${p.message}`)
          .join('\n')
    );
  }
  return result.publication;
}

/** Warnings on stderr, one per line. */
export function warn(publication: IPublication): void {
  for (const w of publication.warnings) {
    process.stderr.write(`warning: ${w}\n`);
  }
}

/** `spark-k8s manifest`: the YAML on stdout, or `<name>.yaml` in the -o folder. */
export async function runManifest(args: IManifestArgs): Promise<string[]> {
  const publication = await publicationFor(args);
  warn(publication);
  if (!args.output) {
    process.stdout.write(publication.yaml);
    return [];
  }
  const name = String(publication.application.metadata.name);
  const file = join(args.output, `${name}.yaml`);
  try {
    mkdirSync(args.output, { recursive: true });
    writeFileSync(file, publication.yaml, { mode: 0o644 });
  } catch (e) {
    throw new CliError(`Cannot write ${file}: ${(e as Error).message}`);
  }
  return [file];
}
