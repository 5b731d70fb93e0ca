"""Benchmark: JupyterLab load time with and without this extension, and its initial JavaScript.

One Jupyter server (from .venv, the extension installed from the wheel) serves both
variants: "without" is the same server with the lab extension disabled through a
page_config.json in a temporary Jupyter config directory (JUPYTER_CONFIG_DIR of this
server only; the user's configuration is neither read nor changed), toggled between
page loads, since JupyterLab reads page_config.json on every page request. Chromium
(Playwright, from ui-tests/node_modules) loads /lab in a fresh browser context each
time (cold cache) and times, in the page, from navigation start to the splash
screen's removal (the application restored). Rounds are interleaved after one
warm-up of each; prints the medians and their ratio (goal <= 1.03).

The extension's initial JavaScript: every .js response under
/lab/extensions/jupyterlab-spark-k8s/ from navigation until two seconds after the
application restored, with no notebook open (remoteEntry and the chunks loaded at
startup), each gzipped here (level 9). Disabled, JupyterLab still fetches the
package's remoteEntry and entry chunk but activates no plugin and loads no style:
the bytes of both variants are printed. Figures, not assertions:

    python bench/lab_load_bench.py [--rounds 10] [--port 8899]
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
UI_TESTS = REPO / "ui-tests"
PACKAGE = "jupyterlab-spark-k8s"

# The browser side: one page load per call, JSON on stdout.
DRIVER = r"""
const { chromium } = require('playwright');
const zlib = require('zlib');
const [url, rounds] = [process.argv[2], Number(process.argv[3])];
const PREFIX = '/lab/extensions/jupyterlab-spark-k8s/';

// Records when the splash screen, once shown, is removed (the application restored).
function watchSplash() {
  let seen = false;
  new MutationObserver(() => {
    const splash = document.getElementById('jupyterlab-splash');
    if (splash) seen = true;
    else if (seen && window.__labLoaded === undefined) window.__labLoaded = performance.now();
  }).observe(document, { childList: true, subtree: true });
}

async function load(browser) {
  const context = await browser.newContext();
  await context.addInitScript(watchSplash);
  const page = await context.newPage();
  const scripts = [];
  page.on('response', response => {
    const u = new URL(response.url());
    if (u.pathname.includes(PREFIX) && u.pathname.endsWith('.js')) scripts.push(response);
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__labLoaded !== undefined, null, { timeout: 120000, polling: 50 });
  const ms = await page.evaluate(() => window.__labLoaded);
  await page.waitForTimeout(2000);
  const files = [];
  for (const r of scripts) {
    const body = await r.body();
    files.push({
      path: new URL(r.url()).pathname.split(PREFIX)[1],
      bytes: body.length,
      gzip: zlib.gzipSync(body, { level: 9 }).length
    });
  }
  await context.close();
  return { ms, files };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync']
  });
  const out = [];
  for (let i = 0; i < rounds; i++) out.push(await load(browser));
  await browser.close();
  process.stdout.write(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"lab_load_bench: the Jupyter server did not answer at {url} within {timeout} s")


def set_disabled(config_dir, disabled):
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(exist_ok=True)
    page_config = {"disabledExtensions": {PACKAGE: True}} if disabled else {}
    (labconfig / "page_config.json").write_text(json.dumps(page_config))


def browse(driver, url, rounds=1):
    env = dict(os.environ, NODE_PATH=str(UI_TESTS / "node_modules"))
    run = subprocess.run(
        ["node", str(driver), url, str(rounds)],
        cwd=UI_TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if run.returncode != 0:
        raise SystemExit(f"lab_load_bench: the browser failed:\n{run.stderr[-2000:]}")
    return json.loads(run.stdout)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def kib(n):
    return f"{n / 1024:.1f} KiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    args = parser.parse_args()
    if not (UI_TESTS / "node_modules" / "playwright").exists():
        raise SystemExit("lab_load_bench: run `npm install` in ui-tests first (Playwright drives Chromium)")
    port = args.port or free_port()
    jupyter = shutil.which("jupyter", path=str(pathlib.Path(sys.executable).parent)) or "jupyter"
    with tempfile.TemporaryDirectory(prefix="lab-load-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        config_dir, root = tmp / "config", tmp / "root"
        config_dir.mkdir()
        root.mkdir()
        driver = tmp / "driver.js"
        driver.write_text(DRIVER)
        set_disabled(config_dir, False)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir))
        server = subprocess.Popen(
            [
                jupyter,
                "lab",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.token=",
                "--ServerApp.password=",
                "--ServerApp.disable_check_xsrf=True",
                "--ServerApp.allow_root=True",
                "--LabApp.extension_manager=readonly",
                f"--ServerApp.root_dir={root}",
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/lab"
            wait_for(f"http://127.0.0.1:{port}/api/status")
            times = {"with": [], "without": []}
            files = {}
            # A warm-up of each (server-side caches), then interleaved rounds.
            for variant in ("with", "without"):
                set_disabled(config_dir, variant == "without")
                browse(driver, url)
            for i in range(args.rounds):
                order = ("with", "without") if i % 2 == 0 else ("without", "with")
                for variant in order:
                    set_disabled(config_dir, variant == "without")
                    [result] = browse(driver, url)
                    times[variant].append(result["ms"])
                    files.setdefault(variant, result["files"])
            set_disabled(config_dir, False)
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)

    med = {v: statistics.median(t) for v, t in times.items()}
    print(
        f"JupyterLab load (navigation start -> restored, {args.rounds} interleaved rounds each, cold cache):"
    )
    for variant in ("with", "without"):
        t = times[variant]
        print(
            f"  {variant:7} extension: median {med[variant]:.0f} ms, p95 {p95(t):.0f} ms  ({', '.join(f'{x:.0f}' for x in t)})"
        )
    print(f"  ratio with/without: {med['with'] / med['without']:.3f} (goal <= 1.03)")
    for variant in ("with", "without"):
        shown = files.get(variant, [])
        raw = sum(f["bytes"] for f in shown)
        gz = sum(f["gzip"] for f in shown)
        state = "enabled" if variant == "with" else "disabled"
        print(f"Extension JavaScript loaded at startup (extension {state}, no notebook open):")
        print(f"  {len(shown)} files, {kib(raw)} raw, {kib(gz)} gzipped")
        for f in sorted(shown, key=lambda f: -f["gzip"]):
            print(f"    {f['path']}: {kib(f['bytes'])} raw, {kib(f['gzip'])} gzipped")


if __name__ == "__main__":
    main()
