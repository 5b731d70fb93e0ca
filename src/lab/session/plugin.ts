/**
 * The session plugin: the Spark panel, its commands, status item and settings.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { DEFAULTS, SessionProfile } from '../../core';
import { sparkIcon } from '../icons';
import { ISparkSessionManager } from '../tokens';
import { SparkSessionManager } from './model';
import { CurrentSession } from './current';
import { notifyFailure, SessionPanel } from './panel';
import { SessionStatus } from './status';

/** Command ids. */
export namespace CommandIDs {
  export const start = 'spark-k8s:start-session';
  export const stop = 'spark-k8s:stop-session';
  export const restart = 'spark-k8s:restart-session';
  export const openUI = 'spark-k8s:open-spark-ui';
  export const showPanel = 'spark-k8s:show-panel';
}

const PLUGIN_ID = 'jupyterlab-spark-k8s:session';

/**
 * The profiles as the user (or the admin's overrides) wrote them. The composite
 * settings would carry every field's schema default in every profile, whatever
 * its kind (a connect profile with a `master`, a standalone one with 1g
 * executors nobody asked for); core applies the defaults of each kind itself.
 */
function writtenProfiles(
  settings: ISettingRegistry.ISettings
): SessionProfile[] {
  const written =
    settings.user.profiles !== undefined
      ? settings.user.profiles
      : settings.schema.properties?.profiles?.default;
  return (Array.isArray(written) ? written : []) as unknown as SessionProfile[];
}

/**
 * The Spark session manager and its settings. It needs no notebook tracker,
 * because the notebook tracker itself needs the cell executor, which needs this.
 */
export const sessionPlugin: JupyterFrontEndPlugin<ISparkSessionManager> = {
  id: PLUGIN_ID,
  description:
    'The Spark sessions of notebook kernels, and the profiles to start them with.',
  autoStart: true,
  optional: [ISettingRegistry],
  provides: ISparkSessionManager,
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null
  ): ISparkSessionManager => {
    const manager = new SparkSessionManager({
      uiOrigin: window.location.origin
    });
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            const profiles = writtenProfiles(settings);
            manager.setProfiles(
              profiles,
              (settings.composite.defaultProfile as string) ?? 'local'
            );
            manager.settings = {
              startTimeout:
                (settings.composite.startTimeout as number) ??
                DEFAULTS.startTimeout,
              secretScopes: (settings.composite.secretScopes ?? {}) as Record<
                string,
                string
              >
            };
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error('Spark session settings could not be loaded:', reason)
        );
    }
    return manager;
  }
};

/** The Spark panel, its commands and the status bar item. */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-spark-k8s:panel',
  description:
    'The Spark panel: start, stop and watch the Spark session of the active notebook.',
  autoStart: true,
  requires: [ISparkSessionManager, INotebookTracker],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IStatusBar,
    ILabShell,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    manager: ISparkSessionManager,
    tracker: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    labShell: ILabShell | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_spark_k8s');
    const current = new CurrentSession(manager);
    const follow = () => current.follow(tracker.currentWidget ?? null);
    tracker.currentChanged.connect(follow);
    follow();

    // Ask the service about the cluster once; kubernetes profiles wait for it.
    void manager.refreshCluster();
    const panel = new SessionPanel(current, manager, trans);
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'spark-k8s-session-panel');

    const session = () => current.current;
    const isRunning = () => session()?.state === 'ready';
    const isIdle = () => {
      const s = session();
      return !!s && (s.state === 'stopped' || s.state === 'failed');
    };
    const notify = (action: () => Promise<unknown>) => () =>
      action().catch(reason => notifyFailure(reason, trans));

    app.commands.addCommand(CommandIDs.start, {
      label: trans.__('Start Spark Session'),
      caption: trans.__(
        'Start a Spark session in the active notebook\u2019s kernel'
      ),
      icon: sparkIcon,
      isEnabled: isIdle,
      execute: notify(() => session()!.start())
    });
    app.commands.addCommand(CommandIDs.stop, {
      label: trans.__('Stop Spark Session'),
      caption: trans.__('Stop the Spark session of the active notebook'),
      isEnabled: isRunning,
      execute: notify(() => session()!.stop())
    });
    app.commands.addCommand(CommandIDs.restart, {
      label: trans.__('Restart Spark Session'),
      caption: trans.__(
        'Stop and start the Spark session with the same profile'
      ),
      isEnabled: isRunning,
      execute: notify(() => session()!.restart())
    });
    app.commands.addCommand(CommandIDs.openUI, {
      label: trans.__('Open Spark UI'),
      caption: trans.__(
        'Open the Spark UI of the active notebook\u2019s session in a new tab'
      ),
      isEnabled: () => !!session()?.uiUrl,
      execute: () => {
        const url = session()?.uiUrl;
        if (url) {
          window.open(url, '_blank', 'noopener');
        }
      }
    });
    app.commands.addCommand(CommandIDs.showPanel, {
      label: trans.__('Show Spark Panel'),
      caption: trans.__('Show the Spark session panel'),
      execute: () => app.shell.activateById(panel.id)
    });
    const notifyCommands = () => app.commands.notifyCommandChanged();
    current.currentChanged.connect(() => {
      current.current?.changed.connect(notifyCommands);
      notifyCommands();
    });
    current.current?.changed.connect(notifyCommands);

    for (const command of Object.values(CommandIDs)) {
      palette?.addItem({ command, category: trans.__('Spark') });
    }

    if (statusBar) {
      const item = new SessionStatus(current, trans, () =>
        app.shell.activateById(panel.id)
      );
      statusBar.registerStatusItem('jupyterlab-spark-k8s:status', {
        item,
        align: 'left',
        rank: 4,
        isActive: () => !!current.current
      });
      current.currentChanged.connect(() => item.update());
    }
    labShell?.currentChanged.connect(() => follow());
  }
};
