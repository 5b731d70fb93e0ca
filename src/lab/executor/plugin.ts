/**
 * Provides INotebookCellExecutor (JupyterLab's own executor plugin is disabled
 * in package.json, since a token has one provider).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookCellExecutor } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { contentsLoader } from '../api/contents';
import { DEFAULTS } from '../../core';
import { ISparkSessionManager } from '../tokens';
import { SparkCellExecutor } from './executor';

const PLUGIN_ID = 'jupyterlab-spark-k8s:cell-executor';

/** The cell executor that runs `%sql` cells on the notebook's Spark session. */
export const executorPlugin: JupyterFrontEndPlugin<INotebookCellExecutor> = {
  id: PLUGIN_ID,
  description:
    'Runs Spark magic cells (%sql) by translating them for the kernel.',
  autoStart: true,
  requires: [ISparkSessionManager],
  optional: [ISettingRegistry],
  provides: INotebookCellExecutor,
  activate: (
    app: JupyterFrontEnd,
    sessions: ISparkSessionManager,
    settingRegistry: ISettingRegistry | null
  ): INotebookCellExecutor => {
    const contents = app.serviceManager.contents;
    // %run targets are read through the Contents API, as raw text.
    const load = contentsLoader(contents);
    const executor = new SparkCellExecutor(sessions, load);
    settingRegistry
      ?.load(PLUGIN_ID)
      .then(settings => {
        const apply = () => {
          executor.settings = {
            autoStart:
              (settings.composite.autoStart as boolean) ?? DEFAULTS.autoStart,
            rowLimit:
              (settings.composite.rowLimit as number) ?? DEFAULTS.rowLimit
          };
        };
        apply();
        settings.changed.connect(apply);
      })
      .catch(reason =>
        console.error(
          'Spark cell executor settings could not be loaded:',
          reason
        )
      );
    return executor;
  }
};
