/** jupyterlab-spark-k8s: Spark on Kubernetes for JupyterLab. */
import { plugins } from './lab';

export * from './lab/tokens';
export default plugins;
