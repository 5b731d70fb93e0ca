/**
 * Status bar item: the active notebook's Spark session state.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { sparkIcon } from '../icons';
import { ICurrentSession } from './current';
import { stateLabel } from './panel';

/** The Spark status bar item; a click opens the panel. */
export class SessionStatus extends ReactWidget {
  constructor(
    private _current: ICurrentSession,
    private _trans: TranslationBundle,
    private _onClick: () => void
  ) {
    super();
    this.addClass('jp-SparkK8s-status');
  }

  protected render(): JSX.Element {
    const trans = this._trans;
    return (
      // One signal for the notebook followed and its session's state.
      <UseSignal signal={this._current.changed}>
        {() => {
          const session = this._current.current;
          if (!session) {
            return <span />;
          }
          return (
            <span
              role="button"
              tabIndex={0}
              className={`jp-SparkK8s-statusItem jp-mod-${session.state}`}
              title={
                session.error ??
                trans.__('Spark session: click to open the Spark panel')
              }
              onClick={this._onClick}
              onKeyDown={e => {
                if (e.key === 'Enter') {
                  this._onClick();
                }
              }}
            >
              <sparkIcon.react tag="span" className="jp-SparkK8s-statusIcon" />
              {trans.__('Spark: %1', stateLabel(session.state, trans))}
              {session.state === 'ready' && session.info
                ? ` (${session.info.sparkVersion})`
                : ''}
            </span>
          );
        }}
      </UseSignal>
    );
  }
}
