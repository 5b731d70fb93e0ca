"""Runs code in a real IPython kernel and reports what a frontend would see.

Used by src/core/kernel/contract.spec.ts: reads a JSON list of steps
``{"code": str, "user_expressions": {..}}`` on stdin, executes them in order in
one fresh kernel (jupyter_client + ipykernel, as JupyterLab would), and prints a
JSON list with, per step, the reply status, error name/value, the iopub outputs
(streams and display data) and the evaluated user expressions.
"""

import json
import queue
import sys

from jupyter_client.manager import start_new_kernel


def run_step(client, step, timeout):
    msg_id = client.execute(
        step["code"],
        silent=bool(step.get("silent", False)),
        store_history=False,
        user_expressions=step.get("user_expressions") or {},
        stop_on_error=False,
    )
    outputs = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            outputs.append({"type": "timeout"})
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            break
        if kind == "stream":
            outputs.append({"type": "stream", "name": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result"):
            outputs.append({"type": kind, "data": content["data"]})
        elif kind == "error":
            outputs.append({"type": "error", "ename": content["ename"], "evalue": content["evalue"]})
    reply = client.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=timeout)
    content = reply["content"]
    return {
        "status": content["status"],
        "ename": content.get("ename"),
        "evalue": content.get("evalue"),
        "outputs": outputs,
        "user_expressions": content.get("user_expressions", {}),
    }


def main():
    steps = json.load(sys.stdin)
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        results = [run_step(client, step, 180) for step in steps]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
