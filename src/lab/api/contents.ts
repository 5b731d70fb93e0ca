/**
 * Reading `%run` / `notebook.run` targets through the Contents API, as the
 * core's translation expects them: raw text, or null when absent.
 */
import type { Contents } from '@jupyterlab/services';
import type { FileLoader } from '../../core';

/** A loader of files by server path, through the Contents API. */
export function contentsLoader(contents: Contents.IManager): FileLoader {
  return async (path: string): Promise<string | null> => {
    try {
      const model = await contents.get(path, {
        type: 'file',
        format: 'text',
        content: true
      });
      return typeof model.content === 'string' ? model.content : null;
    } catch {
      return null;
    }
  };
}
