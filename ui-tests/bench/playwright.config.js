/**
 * The Jobs view opening benchmark (bench/jobs_view_open.py runs it, once per
 * namespace): the UI tests' settings, its own test and a server of its own
 * (never one already running: it must follow the namespace given in KUBECONFIG).
 */
const path = require('path');
const base = require('../playwright.config');

module.exports = {
  ...base,
  testDir: __dirname,
  testMatch: 'jobs_view_open.spec.ts',
  outputDir: path.join(__dirname, '..', 'test-results', 'bench'),
  timeout: 600 * 1000,
  webServer: {
    ...base.webServer,
    cwd: path.join(__dirname, '..'),
    reuseExistingServer: false
  }
};
