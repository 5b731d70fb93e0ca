/** jupyterlab-spark-k8s: Spark on Kubernetes for JupyterLab. */
import { plugins } from './lab';
import { jobsPlugin } from './lab/jobs/plugin';
import { publishPlugin } from './lab/publish/plugin';

export * from './lab/tokens';
export default [...plugins, publishPlugin, jobsPlugin];
