/**
 * "Publish Notebook as Spark Application…": the notebook toolbar button, the
 * command palette and the file browser's context menu open the publish
 * dialog for a notebook (the open one as it is in the editor, saved first;
 * one not open is read through the Contents API).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { contentsLoader } from '../api/contents';
import {
  INotebook,
  IPublishSource,
  SessionProfile,
  widgetsExpression
} from '../../core';
import { SparkServiceClient } from '../api/client';
import { METADATA_KEY } from '../parameters/model';
import { ISparkSessionManager } from '../tokens';
import type { PublishPanel } from './dialog';
import type { IPublishClient } from './model';

/** The command's id. */
export const PUBLISH_COMMAND = 'spark-k8s:publish-notebook';

const PLUGIN_ID = 'jupyterlab-spark-k8s:publish';

const PUBLISH_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
  <path class="jp-icon3" fill="#616161" d="M5 20h14v-2H5v2zm0-10h4v6h6v-6h4l-7-7-7 7z"/>
</svg>`;

/** The Publish button's icon. */
export const publishIcon = new LabIcon({
  name: 'jupyterlab-spark-k8s:publish',
  svgstr: PUBLISH_SVG
});

/** Settings of publishing. */
interface IPublishSettings {
  serviceAccount: string;
  runOutput: string;
}

/** Widgets the kernel declared, asked without running anything; null when it cannot say soon. */
async function kernelWidgets(
  panel: NotebookPanel
): Promise<Record<
  string,
  { value?: string; defaultValue?: string; default?: string }
> | null> {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel || panel.sessionContext.kernelDisplayStatus !== 'idle') {
    return null;
  }
  const reply = kernel.requestExecute({
    code: '',
    silent: true,
    store_history: false,
    user_expressions: { widgets: widgetsExpression() }
  }).done;
  const timeout = new Promise<null>(resolve =>
    setTimeout(() => resolve(null), 3000)
  );
  const answer = await Promise.race([reply, timeout]).catch(() => null);
  const result = (answer?.content as any)?.user_expressions?.widgets;
  const data = result?.data?.['application/json'];
  return result?.status === 'ok' && data && typeof data === 'object'
    ? data
    : null;
}

/** The kernel's widgets with their current values (the value the user set, else the kernel's). */
function widgetValues(
  metadata: Record<string, any> | undefined,
  declared: Record<string, any> | null
): Record<string, string> {
  const saved = ((metadata?.[METADATA_KEY] ?? {}).widgetValues ?? {}) as Record<
    string,
    unknown
  >;
  const values: Record<string, string> = {};
  for (const name of Object.keys(declared ?? {})) {
    const w = declared![name] ?? {};
    const value = saved[name] ?? w.value ?? w.default ?? w.defaultValue ?? '';
    values[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return values;
}

/** The publish dialog, its command, toolbar button and menu entries. */
export const publishPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Publishes a notebook as a Spark application, once or on a schedule, or exports its YAML.',
  autoStart: true,
  requires: [INotebookTracker, ISparkSessionManager],
  optional: [
    ICommandPalette,
    IDefaultFileBrowser,
    ISettingRegistry,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    manager: ISparkSessionManager,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_spark_k8s');
    const contents = app.serviceManager.contents;
    const client = new SparkServiceClient() as unknown as IPublishClient;
    const settings: IPublishSettings = { serviceAccount: '', runOutput: '' };
    settingRegistry
      ?.load(PLUGIN_ID)
      .then(loaded => {
        const apply = () => {
          settings.serviceAccount =
            (loaded.composite.serviceAccount as string) ?? '';
          settings.runOutput = (loaded.composite.runOutput as string) ?? '';
        };
        apply();
        loaded.changed.connect(apply);
      })
      .catch(reason =>
        console.error('Publish settings could not be loaded:', reason)
      );

    const openPanel = (path: string) =>
      tracker.find(p => p.context.path === path) ?? null;

    const load = contentsLoader(contents);

    /** The notebook as it is in the editor (saved first if asked), else on disk. */
    const source = async (
      path: string,
      save: boolean
    ): Promise<IPublishSource> => {
      const panel = openPanel(path);
      let notebook: INotebook;
      if (panel) {
        if (save && panel.context.model.dirty) {
          await panel.context.save();
        }
        notebook = panel.context.model.toJSON() as unknown as INotebook;
      } else {
        const model = await contents.get(path, {
          type: 'notebook',
          content: true
        });
        notebook = model.content as INotebook;
      }
      return { notebook, path, load };
    };

    const dialogs = new Map<string, PublishPanel>();
    let dialogCount = 0;

    const open = async (path: string): Promise<PublishPanel> => {
      const existing = dialogs.get(path);
      if (existing && !existing.isDisposed) {
        app.shell.activateById(existing.id);
        return existing;
      }
      const panel = openPanel(path);
      let profile: SessionProfile | undefined;
      let metadata: Record<string, any> | undefined;
      let declared: Record<string, any> | null = null;
      if (panel) {
        profile = manager.sessionFor(panel.sessionContext).profile ?? undefined;
        metadata = panel.context.model.metadata as Record<string, any>;
        declared = await kernelWidgets(panel);
      } else {
        const model = await contents.get(path, {
          type: 'notebook',
          content: true
        });
        metadata = (model.content as INotebook).metadata as Record<string, any>;
      }
      profile ??= manager.profiles.find(
        p => p.name === manager.selectedProfile
      );
      // The form, cron-parser and cronstrue load when a dialog first opens.
      const [{ PublishModel }, { PublishPanel }] = await Promise.all([
        import('./model'),
        import('./dialog')
      ]);
      const model = new PublishModel({
        path,
        client,
        source: o => source(path, o.save),
        isDirty: () => openPanel(path)?.context.model.dirty ?? false,
        profile,
        secretScopes: { ...manager.secretScopes },
        parameters: widgetValues(metadata, declared),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
        owner: PageConfig.getOption('hubUser') || undefined,
        serviceAccount: settings.serviceAccount || undefined,
        runOutput: settings.runOutput || undefined
      });
      const dialog: PublishPanel = new PublishPanel(model, trans, {
        publish: async force => {
          const outcome = await (force ? model.takeOver() : model.publish());
          if (outcome) {
            const { kind, name, namespace } = outcome.application;
            Notification.success(
              outcome.created
                ? trans.__(
                    'Created %1 %2 in namespace %3',
                    kind,
                    name,
                    namespace
                  )
                : trans.__(
                    'Updated %1 %2 in namespace %3',
                    kind,
                    name,
                    namespace
                  ),
              {
                autoClose: 8000,
                actions: [
                  {
                    label: trans.__('Open Jobs view'),
                    callback: () =>
                      void app.commands.execute('spark-k8s:open-jobs')
                  }
                ]
              }
            );
          } else if (model.error) {
            Notification.error(
              [model.error.message, model.error.hint].filter(Boolean).join(' '),
              { autoClose: false }
            );
          }
        },
        saveYaml: async () => {
          const written = await model.saveYaml(
            {
              exists: async target => {
                try {
                  await contents.get(target, { content: false });
                  return true;
                } catch {
                  return false;
                }
              },
              save: async (target, text) => {
                await contents.save(target, {
                  type: 'file',
                  format: 'text',
                  content: text
                });
              }
            },
            async target => {
              const answer = await showDialog({
                title: trans.__('Replace %1?', PathExt.basename(target)),
                body: trans.__(
                  '%1 already exists. Replace it with the exported YAML?',
                  target
                ),
                buttons: [
                  Dialog.cancelButton(),
                  Dialog.warnButton({ label: trans.__('Replace') })
                ]
              });
              return answer.button.accept;
            }
          );
          if (written) {
            Notification.success(trans.__('Saved %1', written), {
              autoClose: 5000
            });
          }
        },
        copy: text => {
          Clipboard.copyToSystem(text);
          Notification.info(trans.__('YAML copied to the clipboard'), {
            autoClose: 3000
          });
        },
        close: () => dialog.close()
      });
      dialog.id = `jp-SparkK8s-publish-${++dialogCount}`;
      dialog.title.label = trans.__('Publish %1', PathExt.basename(path));
      dialog.title.icon = publishIcon;
      dialog.title.closable = true;
      dialogs.set(path, dialog);
      const onState = (_: unknown, change: { name: string }) => {
        if (change.name === 'dirty') {
          model.refresh();
        }
      };
      panel?.context.model.stateChanged.connect(onState);
      dialog.disposed.connect(() => {
        panel?.context.model.stateChanged.disconnect(onState);
        if (dialogs.get(path) === dialog) {
          dialogs.delete(path);
        }
      });
      app.shell.add(dialog, 'main', {
        mode: panel ? 'split-right' : 'tab-after',
        ref: panel?.id
      });
      app.shell.activateById(dialog.id);
      await model.load();
      return dialog;
    };

    const targetPath = (args: Record<string, unknown>): string | null => {
      if (typeof args.path === 'string' && args.path) {
        return args.path;
      }
      if (args.source === 'browser') {
        const item = browser?.selectedItems().next()?.value;
        return item && item.type === 'notebook' ? item.path : null;
      }
      return tracker.currentWidget?.context.path ?? null;
    };

    app.commands.addCommand(PUBLISH_COMMAND, {
      label: args =>
        args.toolbar
          ? trans.__('Publish')
          : args.source === 'browser'
            ? trans.__('Publish as Spark Application\u2026')
            : trans.__('Publish Notebook as Spark Application\u2026'),
      caption: trans.__(
        'Publish the notebook as a Spark application on the cluster, once or on a schedule, or export its YAML'
      ),
      icon: publishIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description: trans.__('Contents API path of the notebook')
            },
            source: {
              type: 'string',
              enum: ['browser'],
              description: trans.__(
                'browser: the notebook selected in the file browser'
              )
            }
          }
        }
      },
      isEnabled: args => !!targetPath(args),
      execute: async args => {
        const path = targetPath(args);
        if (!path) {
          return;
        }
        try {
          await open(path);
        } catch (e) {
          Notification.error(
            trans.__(
              '%1 cannot be published: %2',
              PathExt.basename(path),
              (e as Error).message
            ),
            { autoClose: false }
          );
        }
      }
    });
    palette?.addItem({ command: PUBLISH_COMMAND, category: trans.__('Spark') });
  }
};
