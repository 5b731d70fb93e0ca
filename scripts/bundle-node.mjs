// Bundles the Node entry points (CLI, service) into the Python package, so
// `pip install` ships them ready to run on the Node runtime from PyPI.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = { cli: 'src/cli/main.ts', service: 'src/service/main.ts' };
for (const [name, entry] of Object.entries(entries)) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, 'jupyterlab_spark_k8s', 'node', `${name}.js`),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    logLevel: 'warning'
  });
}
