/**
 * Free file names for imports: an import never overwrites a file; it writes
 * "name (1).ipynb", "name (2).ipynb"… beside it instead.
 */

/** `path` with " (n)" before its extension: "a/x.ipynb", 1 → "a/x (1).ipynb". */
export function numberedPath(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const cut = dot > slash + 1 ? dot : path.length;
  return `${path.slice(0, cut)} (${n})${path.slice(cut)}`;
}

/**
 * The first of `path`, "path (1)", "path (2)"… for which `taken` is false.
 * `taken` may ask a file system or a server (it is awaited).
 */
export async function freePath(
  path: string,
  taken: (candidate: string) => boolean | Promise<boolean>
): Promise<string> {
  if (!(await taken(path))) {
    return path;
  }
  for (let n = 1; n < 10_000; n++) {
    const candidate = numberedPath(path, n);
    if (!(await taken(candidate))) {
      return candidate;
    }
  }
  throw new Error(`No free name was found for ${path}.`);
}
