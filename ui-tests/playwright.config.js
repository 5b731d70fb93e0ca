/**
 * Galata in Debian's Chromium against a real JupyterLab with the extension
 * installed from the wheel. Video is off: it would need Playwright's own ffmpeg.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// GALATA_PORT lets two runs share a machine (the server config reads it too).
const port = process.env.GALATA_PORT || '8888';

module.exports = {
  ...baseConfig,
  // The tests; bench/ has its own config (bench/jobs_view_open.py runs it).
  testDir: 'tests',
  timeout: 240 * 1000,
  expect: { timeout: 30 * 1000 },
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    // The server's and its kernels' output is part of the test log that is scanned for secrets.
    stdout: 'pipe',
    stderr: 'pipe',
    reuseExistingServer: !process.env.CI
  }
};
