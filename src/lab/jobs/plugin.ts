/**
 * "Open Spark Jobs": the Jobs view in the main area (from the command
 * palette, the Spark panel and the Publish notification), notifications when
 * a run the user cares about ends, and the links of a run: its executed
 * notebook (a read-only copy opened in JupyterLab) and its Spark UI replayed by
 * the History Server.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { IRunSummary } from '../../core';
import { sparkIcon } from '../icons';
import { SessionPanel } from '../session/panel';
import type { JobsModel } from './model';
import type { JobsPanel } from './view';

/** The command's id. */
export const OPEN_JOBS_COMMAND = 'spark-k8s:open-jobs';

/** The publish form's command (it takes `{path}`). */
const PUBLISH_COMMAND = 'spark-k8s:publish-notebook';

/** The publish settings hold where runs write their output. */
const PUBLISH_PLUGIN_ID = 'jupyterlab-spark-k8s:publish';

/** Where read-only copies of executed notebooks are written (a folder the Contents API allows). */
export const EXECUTED_FOLDER = 'spark-k8s-runs';

/** Notebook JSON, loosely. */
interface INotebookJSON {
  cells?: {
    cell_type: string;
    source: string | string[];
    metadata?: Record<string, unknown>;
  }[];
  metadata?: Record<string, any>;
  [key: string]: unknown;
}

/** Fetch a run's executed notebook from the server extension. */
async function fetchExecuted(
  location: string,
  job: string,
  run: string
): Promise<INotebookJSON> {
  const settings = ServerConnection.makeSettings();
  const url =
    URLExt.join(settings.baseUrl, 'spark-k8s', 'runs', 'notebook') +
    URLExt.objectToQueryString({ location, job, run });
  const response = await ServerConnection.makeRequest(url, {}, settings);
  const text = await response.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new Error(
      [body?.message ?? `The server answered ${response.status}.`, body?.hint]
        .filter(Boolean)
        .join(' ')
    );
  }
  return body as INotebookJSON;
}

/** The executed notebook with every cell locked (not editable, not deletable). */
function readOnlyCopy(notebook: INotebookJSON): INotebookJSON {
  return {
    ...notebook,
    cells: (notebook.cells ?? []).map(cell => ({
      ...cell,
      metadata: { ...(cell.metadata ?? {}), editable: false, deletable: false }
    }))
  };
}

/** A one-line note on top of an executed notebook's toolbar. */
function noteWidget(text: string, warn: boolean): Widget {
  const node = document.createElement('div');
  node.className = `jp-SparkK8s-jobs-note${warn ? ' jp-mod-warn' : ''}`;
  node.textContent = text;
  node.title = text;
  node.setAttribute('role', 'note');
  return new Widget({ node });
}

/** The Jobs view, its command and notifications. */
export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-spark-k8s:jobs',
  description:
    'The Jobs view: published applications and schedules live, their driver logs, executed notebooks and Spark UI, and the actions of a job owner.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const trans: TranslationBundle = (translator ?? nullTranslator).load(
      'jupyterlab_spark_k8s'
    );
    const contents = app.serviceManager.contents;
    let runOutput = '';
    settingRegistry
      ?.load(PUBLISH_PLUGIN_ID)
      .then(loaded => {
        const apply = () => {
          runOutput = (loaded.composite.runOutput as string) ?? '';
        };
        apply();
        loaded.changed.connect(apply);
      })
      .catch(reason =>
        console.error('Publish settings could not be loaded:', reason)
      );

    let model: JobsModel | null = null;
    let panel: JobsPanel | null = null;
    const tracker = new WidgetTracker<JobsPanel>({
      namespace: 'spark-k8s-jobs'
    });

    const openNotebook = (path: string) =>
      void app.commands.execute('docmanager:open', { path });

    const ensureFolder = async (path: string) => {
      let so = '';
      for (const part of path.split('/')) {
        so = so ? `${so}/${part}` : part;
        try {
          await contents.get(so, { content: false });
        } catch {
          await contents.save(so, { type: 'directory' });
        }
      }
    };

    const openExecuted = async (run: IRunSummary) => {
      if (!runOutput) {
        Notification.warning(
          trans.__(
            'Runs keep no executed notebook: set "Run output location" in Settings \u2192 Spark publishing, then publish again.'
          ),
          { autoClose: 10000 }
        );
        return;
      }
      const { runOutputIds } = await import('./model');
      const ids = runOutputIds(run);
      let executed: INotebookJSON;
      try {
        executed = await fetchExecuted(runOutput, ids.job, ids.run);
      } catch (e) {
        Notification.error(
          trans.__(
            'The executed notebook of %1 cannot be opened: %2',
            run.name,
            (e as Error).message
          ),
          { autoClose: false }
        );
        return;
      }
      const folder = `${EXECUTED_FOLDER}/${ids.job}`;
      const path = `${folder}/${ids.run}.ipynb`;
      try {
        await ensureFolder(folder);
        await contents.save(path, {
          type: 'notebook',
          format: 'json',
          content: readOnlyCopy(executed)
        });
      } catch (e) {
        Notification.error(
          trans.__(
            'The executed notebook of %1 cannot be written to %2: %3',
            run.name,
            path,
            (e as Error).message
          ),
          { autoClose: false }
        );
        return;
      }
      // The note: when it ran, and whether the source changed since.
      const parts: string[] = [];
      let warn = false;
      const source = run.notebookPath;
      if (source) {
        try {
          const current = await contents.get(source, {
            type: 'notebook',
            content: true
          });
          const { codeChanged } = await import('./model');
          if (codeChanged(executed, current.content as INotebookJSON)) {
            parts.push(trans.__('%1 has changed since this run.', source));
            warn = true;
          }
        } catch {
          parts.push(trans.__('%1 no longer exists.', source));
          warn = true;
        }
      }
      parts.push(
        trans.__(
          'Executed notebook of run %1: a read-only copy with the run\u2019s outputs.',
          run.name
        )
      );
      const parameters = executed.metadata?.spark_k8s?.run?.parameters;
      if (parameters && typeof parameters === 'object') {
        const pairs = Object.entries(parameters).map(
          ([name, value]) => `${name}=${String(value)}`
        );
        if (pairs.length) {
          parts.push(trans.__('Parameters: %1', pairs.join(', ')));
        }
      }
      const note = parts.join(' ');
      const widget = (await app.commands.execute('docmanager:open', {
        path
      })) as MainAreaWidget & {
        context?: { ready: Promise<void>; model: { dirty: boolean } };
      };
      if (widget && !widget.isDisposed) {
        // Above the notebook, so it stays in sight however narrow the tab.
        widget.contentHeader?.addWidget(noteWidget(note, warn));
        void widget.context?.ready.then(() => {
          // The copy as written: nothing to save.
          widget.context!.model.dirty = false;
        });
      }
    };

    /** The run's Spark application id: its summary's, else its executed notebook's. */
    const applicationId = async (run: IRunSummary): Promise<string | null> => {
      const known = (run as IRunSummary & { sparkApplicationId?: string })
        .sparkApplicationId;
      if (known) {
        return known;
      }
      if (!runOutput) {
        return null;
      }
      try {
        const { runOutputIds } = await import('./model');
        const ids = runOutputIds(run);
        const executed = await fetchExecuted(runOutput, ids.job, ids.run);
        const id = executed.metadata?.spark_k8s?.run?.applicationId;
        return typeof id === 'string' && id ? id : null;
      } catch {
        return null;
      }
    };

    /** The History Server's UI of the run (its list of applications when the id is unknown). */
    const openHistory = async (run: IRunSummary) => {
      // Opened at once, so the browser sees the user's click; pointed when the id is known.
      const tab = window.open('', '_blank');
      const base = ServerConnection.makeSettings().baseUrl;
      const id = await applicationId(run);
      const url = id
        ? URLExt.join(base, 'sparkhistory', 'history', id, 'jobs') + '/'
        : URLExt.join(base, 'sparkhistory') + '/';
      if (tab) {
        tab.opener = null;
        tab.location.href = url;
      } else {
        window.open(url, '_blank', 'noopener');
      }
    };

    const confirmDelete = async (
      kind: 'application' | 'schedule',
      name: string,
      runs: number
    ) => {
      const answer = await showDialog({
        title:
          kind === 'schedule'
            ? trans.__('Delete schedule %1?', name)
            : trans.__('Delete run %1?', name),
        body:
          kind === 'schedule'
            ? trans._n(
                'Deleting a schedule deletes its runs too: its %1 run and its driver pod go with it. Executed notebooks and event logs already written to the run output stay.',
                'Deleting a schedule deletes its runs too: its %1 runs and their driver pods go with it. Executed notebooks and event logs already written to the run output stay.',
                runs
              )
            : trans.__(
                'The application %1, its driver pod and its job ConfigMap are deleted. Executed notebooks and event logs already written to the run output stay.',
                name
              ),
        buttons: [
          Dialog.cancelButton(),
          Dialog.warnButton({ label: trans.__('Delete') })
        ]
      });
      return answer.button.accept;
    };

    const download = (fileName: string, text: string) => {
      const url = URL.createObjectURL(
        new Blob([text], { type: 'text/plain;charset=utf-8' })
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    };

    const ensureModel = async (): Promise<JobsModel> => {
      if (model) {
        return model;
      }
      const [{ JobsModel }, { SparkServiceClient }] = await Promise.all([
        import('./model'),
        import('../api/client')
      ]);
      if (model) {
        return model;
      }
      const created = new JobsModel({
        client: new SparkServiceClient(),
        user: PageConfig.getOption('hubUser') || undefined
      });
      created.finished.connect((_, { run, ok }) => {
        const message = ok
          ? trans.__('Spark run %1 completed', run.name)
          : trans.__('Spark run %1 failed: %2', run.name, run.stateText);
        const options = {
          autoClose: ok ? 8000 : (false as const),
          actions: [
            {
              label: trans.__('Open run'),
              callback: () =>
                void app.commands.execute(OPEN_JOBS_COMMAND, { run: run.name })
            }
          ]
        };
        if (ok) {
          Notification.success(message, options);
        } else {
          Notification.error(message, options);
        }
      });
      created.start();
      model = created;
      return created;
    };

    const open = async (run?: string): Promise<JobsPanel> => {
      const jobs = await ensureModel();
      if (!panel || panel.isDisposed) {
        const { JobsPanel } = await import('./view');
        panel = new JobsPanel(jobs, trans, {
          openNotebook,
          republish: path =>
            void app.commands.execute(PUBLISH_COMMAND, { path }),
          confirmDelete,
          openExecuted,
          openHistory,
          download
        });
        panel.id = 'jp-SparkK8s-jobs';
        panel.title.label = trans.__('Spark Jobs');
        panel.title.icon = sparkIcon;
        panel.title.closable = true;
        app.shell.add(panel, 'main');
        void tracker.add(panel);
      } else if (!panel.isAttached) {
        // Made by the layout restorer but left out of the restored layout.
        app.shell.add(panel, 'main');
      }
      app.shell.activateById(panel.id);
      if (run) {
        jobs.select(run);
      }
      return panel;
    };

    app.commands.addCommand(OPEN_JOBS_COMMAND, {
      label: trans.__('Open Spark Jobs'),
      caption: trans.__(
        'The published notebooks\u2019 applications and schedules, live: runs, driver logs, executed notebooks, Spark UI'
      ),
      icon: sparkIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            run: {
              type: 'string',
              description: trans.__('A run to select')
            }
          }
        }
      },
      execute: async args => {
        await open(typeof args.run === 'string' ? args.run : undefined);
      }
    });
    // The Spark panel's Jobs button.
    SessionPanel.openJobs = () => void app.commands.execute(OPEN_JOBS_COMMAND);
    for (const widget of app.shell.widgets('left')) {
      if (widget instanceof SessionPanel) {
        widget.update();
      }
    }
    palette?.addItem({
      command: OPEN_JOBS_COMMAND,
      category: trans.__('Spark')
    });
    if (restorer) {
      // Reopen the view after a reload when it was open.
      void restorer.restore(tracker, {
        command: OPEN_JOBS_COMMAND,
        name: () => 'spark-k8s-jobs'
      });
    }
  }
};
