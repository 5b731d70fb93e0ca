"""Per-cell Spark jobs: tags, live progress under the running cell, and cancel.

Installed once per kernel (``install_cell_hooks``, at import). Before each cell runs
(IPython's ``pre_run_cell``), the executing thread's Spark job group, job description
and a job tag name the execution: the Spark UI's job list reads ``cell [4]: SELECT …``
and the tag ``spark-k8s-cell-<execution>`` finds exactly this cell's jobs. Threads the
cell starts inherit these (``threading.Thread.start`` copies the starter's Spark local
properties, PySpark's pinned-thread mode keeps them per thread otherwise), and so do
``%run`` callees (they run on the cell's thread).

While the cell runs, a monitor thread reads the driver's own status (``StatusSource``:
``SparkContext.statusTracker``, no listener jar) four times a second and shows one
display output under the cell (``PROGRESS_MIME`` plus text), updated in place through
its display id: on every change and once a second while jobs run, never when nothing
runs. At the end it becomes a one-line summary with the job ids (the lab links each
to the Spark UI). An interrupt (SIGINT, the notebook's stop button) cancels the jobs
of this cell's tag, and only those: the cell's Spark call then fails with Spark's
"cancelled" error (a second interrupt raises KeyboardInterrupt as usual); the kernel and
the session stay usable.
"""

import ast
import contextlib
import contextvars
import signal
import threading
import time
import uuid

from .contract import CONTRACT, RUNTIME_NAME

PROGRESS_MIME = CONTRACT["progressMime"]
TAG_PREFIX = "spark-k8s-cell-"
"""Tag of one execution's jobs (also its job group)."""
CELL_TAG_PREFIX = "spark-k8s-cellid-"
"""Tag naming the notebook cell (JupyterLab's cell id), the same for every execution of it."""
POLL_SECONDS = 0.25
"""How often the monitor reads the driver's status while a cell runs."""
HEARTBEAT_SECONDS = 1.0
"""While jobs run, an unchanged view is still refreshed this often (the elapsed time)."""
MAX_JOBS_LISTED = 200
"""Job ids kept in the saved summary (the count covers the rest)."""
DESCRIPTION_WIDTH = 80
REPEAT_SECONDS = 1.0
"""A second interrupt this soon after the first only cancels again."""

_local = threading.local()
"""``run``: the CellRun whose jobs this thread starts (set on the cell's thread and inherited)."""

_installed = {"shell": None, "threads": False}


def _spark_context():
    """The active SparkContext (the runtime's session or one a cell built), or None.

    On a Spark Connect session, its ``ConnectJobs``: the same calls, on Connect's tags,
    interrupts and progress handler.
    """
    try:
        from pyspark import SparkContext
    except ImportError:
        return None
    sc = SparkContext._active_spark_context
    if sc is not None:
        return sc
    from .connect import current_jobs

    return current_jobs()


def current_run():
    """The cell execution whose jobs this thread starts, or None."""
    return getattr(_local, "run", None)


# ---------------------------------------------------------------------------------------
# The description: "cell [N]: <first line>" from the code the kernel received.


def _first_line(text):
    for line in str(text).splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "--")):
            return line
    return ""


def _runtime_call(node):
    """(function name, args) of a ``_spark_k8s_runtime.<fn>(…)`` call, or None."""
    if isinstance(node, (ast.Assign, ast.Expr)):
        node = node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == RUNTIME_NAME
    ):
        return node.func.attr, node.args
    return None


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _translated_summary(code):
    """What a translated magic cell does, in its author's words (the SQL, `%run path`), or None."""
    if RUNTIME_NAME not in code:
        return None
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return None
    for statement in body:
        call = _runtime_call(statement)
        if call is None:
            continue
        name, args = call
        values = [_literal(arg) for arg in args]
        if not values or not isinstance(values[0], (str, list)):
            continue
        if name == "sql_cell" and isinstance(values[0], list) and values[0]:
            item = values[0][0]
            return _first_line(item[1]) if item[0] == "sql" else f"{item[0]} {item[2]}"
        if name == "run_inline":
            return f"%run {values[0]}"
        if name in ("sh", "fs_magic", "pip") and isinstance(values[0], str):
            return f"%{name.replace('_magic', '')} {_first_line(values[0])}"
    return None


def describe(code, count):
    """The job description of an execution: ``cell [count]: <what it runs>``, shortened."""
    what = _translated_summary(code) or _first_line(code)
    text = f"cell [{count}]: {what}" if what else f"cell [{count}]"
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_WIDTH else text[: DESCRIPTION_WIDTH - 1] + "…"


# ---------------------------------------------------------------------------------------
# Where the status comes from. Pluggable: a Spark Connect session needs another source.


class StatusSource:
    """The driver's own job and stage status for one tag (SparkContext.statusTracker)."""

    def __init__(self, sc):
        self._sc = sc
        self._tracker = sc.statusTracker()
        self._jtracker = sc._jsc.sc().statusTracker()

    def job_ids(self, tag, group):
        """Ids of the jobs carrying `tag` (or, on an old Spark, in `group`), oldest first."""
        try:
            ids = self._jtracker.getJobIdsForTag(tag)
        except Exception:  # noqa: BLE001 - Spark before 3.5 has no job tags
            ids = self._tracker.getJobIdsForGroup(group)
        return sorted(int(i) for i in ids)

    def job(self, job_id):
        """One job: id, status and its stages (with done/total tasks), or None if unknown."""
        info = self._tracker.getJobInfo(job_id)
        if info is None:
            return None
        status = str(info.status).lower()
        stages = []
        for stage_id in sorted(int(s) for s in info.stageIds):
            stage = self._tracker.getStageInfo(stage_id)
            if stage is None:
                continue
            stages.append(
                {
                    "id": stage_id,
                    "name": stage.name,
                    "total": int(stage.numTasks),
                    "done": int(stage.numCompletedTasks),
                    "active": int(stage.numActiveTasks),
                    "failed": int(stage.numFailedTasks),
                }
            )
        if status == "succeeded":
            # A finished job's stages that never ran were skipped (their output was reused).
            for stage in stages:
                stage["skipped"] = stage["done"] == 0 and stage["active"] == 0 and stage["total"] > 0
        return {"id": int(job_id), "status": status, "stages": stages}

    def cancel(self, tag, group):
        """Cancel the jobs of `tag` (and of `group` on an old Spark)."""
        try:
            self._sc.cancelJobsWithTag(tag)
        except AttributeError:
            self._sc.cancelJobGroup(group)


def status_source(sc):
    """The status source for `sc` (a Spark Connect session's ConnectJobs is its own)."""
    from .connect import ConnectJobs

    return sc if isinstance(sc, ConnectJobs) else StatusSource(sc)


# ---------------------------------------------------------------------------------------
# The progress view of one execution.


def _elapsed_text(seconds):
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _bar(done, total, width=20):
    filled = 0 if total <= 0 else min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)


class CellProgress:
    """The status of one execution's jobs and the one output that shows it."""

    def __init__(self, run, source, publish, ui_port=None, clock=time.monotonic):
        self.run = run
        self._source = source
        self._publish = publish
        self._clock = clock
        self._ui_port = ui_port
        self._finished = {}  # job id -> final job (never read again)
        self._first_seen = None
        self._last_end = None
        self._shown = False
        self._last_signature = None
        self._last_sent = 0.0
        self.messages = 0
        self.jobs_running = False
        """Whether the last poll saw a job of this execution running."""

    def poll(self):
        """Read the status of this execution's jobs: (running jobs, finished jobs)."""
        running = []
        for job_id in self._source.job_ids(self.run.tag, self.run.group):
            if job_id in self._finished:
                continue
            job = self._source.job(job_id)
            if job is None:
                continue
            if self._first_seen is None:
                self._first_seen = self._clock()
            if job["status"] in ("succeeded", "failed"):
                self._finished[job_id] = job
                self._last_end = self._clock()
            else:
                running.append(job)
        self.jobs_running = bool(running)
        return running

    def view(self, running, state):
        """The MIME bundle for the current state: ``running`` or ``done``/``cancelled``/``failed``."""
        jobs = sorted(list(self._finished.values()) + running, key=lambda j: j["id"])
        stages = [s for j in jobs for s in j["stages"]]
        end = self._clock() if state == "running" or self._last_end is None else self._last_end
        elapsed = max(0.0, end - (self._first_seen or end))
        totals = {
            "jobs": len(jobs),
            "running": len(running),
            "failedJobs": sum(1 for j in jobs if j["status"] == "failed"),
            "stages": sum(1 for s in stages if not s.get("skipped")),
            "skippedStages": sum(1 for s in stages if s.get("skipped")),
            "tasks": sum(s["total"] for s in stages if not s.get("skipped")),
            "done": sum(s["done"] for s in stages),
            "failedTasks": sum(s["failed"] for s in stages),
            "skippedTasks": sum(s["total"] for s in stages if s.get("skipped")),
        }
        data = {
            "version": 1,
            "description": self.run.description,
            "state": state,
            "elapsed": round(elapsed, 1),
            "uiPort": self._ui_port,
            "totals": totals,
            # Finished jobs only by id and status, so a 100-job cell saves a small output.
            "jobs": [
                {"id": j["id"], "status": j["status"]} for j in jobs[-MAX_JOBS_LISTED:] if j not in running
            ],
            "active": [
                {
                    "id": j["id"],
                    "status": j["status"],
                    "stages": [s for s in j["stages"] if not _stage_over(s)],
                }
                for j in running
            ],
        }
        return {PROGRESS_MIME: data, "text/plain": _text(data)}

    def _signature(self, running):
        return (
            len(self._finished),
            tuple(
                (
                    j["id"],
                    j["status"],
                    tuple((s["id"], s["done"], s["active"], s["failed"]) for s in j["stages"]),
                )
                for j in running
            ),
        )

    def tick(self):
        """One poll; shows or updates the output when something changed (or each second while running)."""
        running = self.poll()
        if self._first_seen is None:
            return False
        now = self._clock()
        signature = self._signature(running)
        changed = signature != self._last_signature
        beat = bool(running) and now - self._last_sent >= HEARTBEAT_SECONDS
        if not (changed or beat):
            return False
        self._last_signature = signature
        self._send(self.view(running, "running"))
        return True

    def finish(self, state="done"):
        """The final summary (if this execution ran any job)."""
        running = self.poll()
        if self._first_seen is None:
            return False
        if running and state == "done":
            state = "running"  # jobs of a thread the cell left behind still run
        self._send(self.view(running, state))
        return True

    def _send(self, bundle):
        self._publish(bundle, self._shown)
        self._shown = True
        self._last_sent = self._clock()
        self.messages += 1


def _stage_over(stage):
    return stage.get("skipped") or (stage["total"] > 0 and stage["done"] >= stage["total"])


def _text(data):
    """The text/plain form, for frontends without the renderer and for nbconvert."""
    t = data["totals"]
    parts = [_plural(t["jobs"], "job"), _plural(t["stages"], "stage")]
    if t["skippedStages"]:
        parts.append(f"{t['skippedStages']} skipped")
    if t["failedTasks"]:
        parts.append(_plural(t["failedTasks"], "failed task"))
    parts.append(_elapsed_text(data["elapsed"]))
    head = " · ".join(parts)
    if data["state"] == "cancelled":
        return f"Spark: cancelled · {head}"
    if data["state"] == "failed" or t["failedJobs"]:
        head = f"{head} · {_plural(t['failedJobs'], 'job')} failed"
    if data["state"] != "running":
        return head
    lines = [f"Spark: {head}"]
    for job in data["active"]:
        for stage in job["stages"]:
            lines.append(
                f"  job {job['id']} stage {stage['id']} {_bar(stage['done'], stage['total'])} "
                f"{stage['done']}/{stage['total']} tasks"
                + (f", {stage['failed']} failed" if stage["failed"] else "")
            )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# One execution: tags on the cell's thread, the monitor, cancel.


class CellRun:
    """One execution of a cell: its ids, description and monitor."""

    def __init__(self, cell_id, count, code):
        self.execution = uuid.uuid4().hex[:12]
        self.cell_id = cell_id or ""
        self.count = count
        self.tag = TAG_PREFIX + self.execution
        # Spark tags cannot hold commas; a cell id is a UUID or a short name.
        cell = "".join(c for c in self.cell_id if c.isalnum() or c in "-_.")[:64]
        self.cell_tag = CELL_TAG_PREFIX + cell if cell else None
        self.group = self.tag
        self.description = describe(code, count)
        self.progress = None
        self._stop = threading.Event()
        self._thread = None
        self.cancelled = False
        self.interrupted_at = float("-inf")

    def tag_thread(self, sc):
        """Name this execution on the calling thread's Spark jobs."""
        sc.setJobGroup(self.group, self.description, True)
        sc.addJobTag(self.tag)
        if self.cell_tag:
            sc.addJobTag(self.cell_tag)
        _local.run = self

    def untag_thread(self, sc):
        if getattr(_local, "run", None) is self:
            _local.run = None
        with contextlib.suppress(Exception):  # a stopped context has nothing to clear
            sc.removeJobTag(self.tag)
            if self.cell_tag:
                sc.removeJobTag(self.cell_tag)
            for key in ("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel"):
                sc.setLocalProperty(key, None)

    def start_monitor(self, progress, context):
        self.progress = progress

        def loop():
            while not self._stop.wait(POLL_SECONDS):
                try:
                    context.run(progress.tick)
                except Exception:  # noqa: BLE001 - a stopped session ends the view, not the cell
                    return

        self._thread = threading.Thread(target=loop, name=f"spark-k8s progress {self.execution}", daemon=True)
        self._thread._spark_k8s_no_tags = True
        self._thread.start()

    def stop_monitor(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def cancel(self, sc):
        """Cancel this execution's jobs (only these), from a thread of its own."""
        self.cancelled = True

        def cancel():
            with contextlib.suppress(Exception):
                status_source(sc).cancel(self.tag, self.group)

        thread = threading.Thread(target=cancel, name=f"spark-k8s cancel {self.execution}", daemon=True)
        thread._spark_k8s_no_tags = True
        thread.start()
        return thread


def _reset_thread_connection(sc):
    """After an interrupt in the middle of a JVM call the thread's Py4J connection holds an
    unread answer: close it, so the next call opens a fresh one (and reads its own answer)."""
    with contextlib.suppress(Exception):
        client = sc._gateway._gateway_client
        connection = client.get_thread_connection()
        if connection is not None:
            with contextlib.suppress(ValueError):
                client.deque.remove(connection)
            connection.close()
            client.thread_connection.connection = None


def _display_publisher(run):
    """Show the first bundle, then update it in place (one output per execution)."""
    display_id = f"spark-k8s-progress-{run.execution}"

    def publish(bundle, update):
        from IPython.display import display

        if update:
            display(bundle, raw=True, display_id=display_id, update=True)
        else:
            display(bundle, raw=True, display_id=display_id)

    return publish


class CellHooks:
    """IPython's pre/post_run_cell hooks that tag, show and cancel each execution's jobs."""

    def __init__(self, shell, publisher=_display_publisher):
        self.shell = shell
        self.publisher = publisher
        self.run = None
        self._saved_sigint = None
        self._finishing = False

    def pre_run_cell(self, info=None):
        self.run = None
        sc = _spark_context()
        if sc is None:
            return
        code = getattr(info, "raw_cell", "") or ""
        # IPython counts this execution before the hook runs (when it stores history).
        count = self.shell.execution_count - (1 if getattr(info, "store_history", True) else 0)
        run = CellRun(getattr(info, "cell_id", None), count, code)
        try:
            run.tag_thread(sc)
            ui_port = _ui_port(sc)
            progress = CellProgress(run, status_source(sc), self.publisher(run), ui_port)
        except Exception:  # noqa: BLE001 - a dead session: the cell runs untagged
            return
        self.run = run
        run.start_monitor(progress, contextvars.copy_context())
        self._install_sigint(sc)

    def post_run_cell(self, result=None):
        run, self.run = self.run, None
        if run is None:
            self._restore_sigint()
            return
        # Until the summary is shown, another interrupt only cancels again: it must not
        # break off the wind-down (and leave the output saying "running").
        self._finishing = True
        try:
            self._finish(run, result)
        finally:
            self._finishing = False
            self._restore_sigint()

    def _finish(self, run, result):
        run.stop_monitor()
        sc = _spark_context()
        if sc is None:
            return
        interrupted = isinstance(getattr(result, "error_in_exec", None), KeyboardInterrupt)
        if interrupted:
            _reset_thread_connection(sc)
        if interrupted or run.cancelled:
            run.cancel(sc).join(10)
            _wait_until_over(run.progress)
        run.untag_thread(sc)
        with contextlib.suppress(Exception):  # a session stopped by the cell
            run.progress.finish("cancelled" if run.cancelled else "done")

    def _install_sigint(self, sc):
        """SIGINT (the stop button) cancels this execution's jobs, then interrupts as before."""
        if threading.current_thread() is not threading.main_thread():
            return
        run = self.run
        try:
            previous = signal.getsignal(signal.SIGINT)

            def on_sigint(signum, frame):
                # No JVM call here: this thread may be inside one. A thread of its own cancels.
                now = time.monotonic()
                first = run.interrupted_at == float("-inf")
                repeated = now - run.interrupted_at < REPEAT_SECONDS
                run.interrupted_at = now
                run.cancel(sc)
                # A second stop request right after the first (a double click, or the
                # lab's Cancel and stop button together) must not break off the
                # interrupt IPython is already handling; nor may one during the wind-down.
                if self._finishing or repeated:
                    return None
                # While this cell's jobs run, the cancel ends them and the Spark call returns
                # with Spark's "cancelled" error: no KeyboardInterrupt in the middle of a JVM
                # call (which would leave the thread's connection with an unread answer).
                # A second stop request raises KeyboardInterrupt as usual.
                if first and run.progress is not None and run.progress.jobs_running:
                    return None
                if callable(previous):
                    return previous(signum, frame)
                raise KeyboardInterrupt

            signal.signal(signal.SIGINT, on_sigint)
            self._saved_sigint = (previous,)
        except (ValueError, OSError):
            self._saved_sigint = None

    def _restore_sigint(self):
        if self._saved_sigint is None:
            return
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGINT, self._saved_sigint[0])
        self._saved_sigint = None


def _wait_until_over(progress, timeout=10.0):
    """After a cancel, let the jobs reach their end so the summary says so."""
    deadline = time.monotonic() + timeout
    while progress is not None and time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if not progress.poll():
                return
        time.sleep(0.05)


def _ui_port(sc):
    url = getattr(sc, "uiWebUrl", None)
    if not url:
        return None
    try:
        return int(url.rstrip("/").rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


# ---------------------------------------------------------------------------------------
# Threads the cell starts inherit its tags.

_original_start = threading.Thread.start


def _inheriting_start(self, *args, **kwargs):
    run = current_run()
    if run is not None and not getattr(self, "_spark_k8s_no_tags", False) and _wants_tags(self):
        sc = _spark_context()
        if sc is not None:
            try:
                properties = sc._jsc.sc().getLocalProperties().clone()
            except Exception:  # noqa: BLE001 - a stopped session: nothing to inherit
                properties = None
            if properties is not None:
                target_run = self.run

                def run_tagged():
                    _local.run = run
                    active = _spark_context()
                    if active is not None:
                        with contextlib.suppress(Exception):
                            active._jsc.sc().setLocalProperties(properties)
                    return target_run()

                self.run = run_tagged
    return _original_start(self, *args, **kwargs)


def _wants_tags(thread):
    """Py4J's and the kernel's own threads are not the cell's work."""
    module = type(thread).__module__ or ""
    return not module.startswith(("py4j", "ipykernel", "IPython", "zmq", "tornado", "jupyter_client"))


def install_cell_hooks(shell=None):
    """Tag, show and cancel every cell's Spark jobs in this IPython kernel (once; no-op elsewhere)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return None
        shell = get_ipython()
    if shell is None:
        return None
    hooks = getattr(shell, "_spark_k8s_cell_hooks", None)
    if hooks is None:
        hooks = CellHooks(shell)
        shell.events.register("pre_run_cell", hooks.pre_run_cell)
        shell.events.register("post_run_cell", hooks.post_run_cell)
        shell._spark_k8s_cell_hooks = hooks
    if not getattr(threading.Thread.start, "_spark_k8s", False):
        _inheriting_start._spark_k8s = True
        threading.Thread.start = _inheriting_start
    return hooks
