/** jupyterlab-spark-k8s: Spark on Kubernetes for JupyterLab. */
import { plugins } from './lab';
import { publishPlugin } from './lab/publish/plugin';

export * from './lab/tokens';
export default [...plugins, publishPlugin];
