/**
 * `spark-k8s publish`: the manifest command's objects, applied with the
 * kubeconfig by the same server-side apply the service uses.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { applyPublication } from '../kube/apply';
import { loadKubeConfig } from '../kube/config';
import { CliError } from './errors';
import { IManifestArgs, publicationFor, warn } from './manifest';

/** The kubeconfig ($KUBECONFIG, ~/.kube/config, or in-cluster), or says there is none. */
export function cliKubeConfig(): KubeConfig {
  const { kc, unavailable } = loadKubeConfig();
  if (unavailable) {
    throw new CliError(
      `No cluster: ${unavailable}. Point KUBECONFIG at the cluster to publish to.`
    );
  }
  return kc;
}

/** Apply; prints what happened; resolves with the exit status. */
export async function runPublish(
  args: IManifestArgs,
  options: { force: boolean; dryRun: boolean }
): Promise<number> {
  const kc = cliKubeConfig();
  if (args.namespace === undefined) {
    const ns = kc.getContextObject(kc.getCurrentContext())?.namespace;
    args = { ...args, namespace: ns || 'default' };
  }
  const publication = await publicationFor(args);
  warn(publication);
  const result = await applyPublication(kc, publication.objects, options);
  if (!result.ok) {
    const lines = [result.message];
    for (const c of result.conflicts ?? []) {
      lines.push(`  ${c.field} is managed by ${c.manager}`);
    }
    if (result.hint) {
      lines.push(result.hint);
    }
    throw new CliError(lines.join('\n'));
  }
  const app = result.application;
  const verb = options.dryRun
    ? 'would apply'
    : result.created
      ? 'created'
      : 'updated';
  process.stdout.write(
    `${verb} ${app.kind} ${app.namespace}/${app.name} (ConfigMap ${result.configMap})\n`
  );
  for (const old of result.removed) {
    process.stdout.write(`removed old ConfigMap ${old}\n`);
  }
  return 0;
}
