/** The JupyterLab plugins of jupyterlab-spark-k8s. */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { executorPlugin } from './executor/plugin';
import { panelPlugin, sessionPlugin } from './session/plugin';
import { parametersPlugin } from './parameters/plugin';
import { importPlugin } from './databricks/plugin';
import { gridPlugin } from './grid/plugin';
import { progressPlugin } from './progress/plugin';

export * from './tokens';

/** Every plugin, in the order they depend on each other. */
export const plugins: JupyterFrontEndPlugin<any>[] = [
  sessionPlugin,
  executorPlugin,
  panelPlugin,
  parametersPlugin,
  importPlugin,
  gridPlugin,
  progressPlugin
];
