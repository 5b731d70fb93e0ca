// Runs every compiled *.spec.js under build/test with Node's test runner
// (Node 20's --test takes no glob patterns).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit'
});
process.exit(run.status ?? 1);
