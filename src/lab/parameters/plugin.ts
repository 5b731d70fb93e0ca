/**
 * Adds the parameter bar to every notebook and keeps it current after each run.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { DEFAULTS } from '../../core';
import { ParameterBar } from './bar';
import { ParameterModel } from './model';

const PLUGIN_ID = 'jupyterlab-spark-k8s:parameters';

/** The Databricks-style parameter bar above notebooks. */
export const parametersPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Shows dbutils.widgets as a parameter bar above the notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_spark_k8s');
    let rerun = DEFAULTS.rerunOnChange;
    settingRegistry
      ?.load(PLUGIN_ID)
      .then(settings => {
        const apply = () => {
          rerun =
            (settings.composite.rerunOnChange as typeof rerun) ??
            DEFAULTS.rerunOnChange;
        };
        apply();
        settings.changed.connect(apply);
      })
      .catch(reason =>
        console.error('Parameter bar settings could not be loaded:', reason)
      );

    const bars = new WeakMap<NotebookPanel, ParameterBar>();
    tracker.widgetAdded.connect((_, panel) => {
      const model = new ParameterModel(
        () => panel.model,
        () => panel.sessionContext.session?.kernel ?? null
      );
      const bar = new ParameterBar(model, trans, () => {
        if (rerun === 'none' || tracker.currentWidget !== panel) {
          return;
        }
        void app.commands.execute(
          rerun === 'all' ? 'notebook:run-all-cells' : 'notebook:run-all-below'
        );
      });
      bars.set(panel, bar);
      panel.contentHeader.addWidget(bar);
      // Saved values reach the kernel before a first run: once the notebook's
      // metadata is loaded and its kernel is up, and again after a restart.
      Promise.all([panel.context.ready, panel.sessionContext.ready])
        .then(() => model.refresh())
        .catch(() => undefined);
      panel.sessionContext.statusChanged.connect((_, status) => {
        if (status === 'restarting' || status === 'autorestarting') {
          model.kernelRestarted();
        } else if (status === 'idle' && model.needsPush) {
          void model.refresh().catch(() => undefined);
        }
      });
      panel.sessionContext.kernelChanged.connect(() => {
        model.kernelRestarted();
        void panel.sessionContext.ready
          .then(() => model.refresh())
          .catch(() => undefined);
      });
      panel.disposed.connect(() => bar.dispose());
    });
    NotebookActions.executed.connect((_, { notebook }) => {
      const panel = tracker.find(p => p.content === notebook);
      const bar = panel && bars.get(panel);
      void bar?.model.refresh().catch(() => undefined);
    });
  }
};
