"""The constants shared with the TypeScript side, from ``_contract.json`` in this package.

The build writes ``_contract.json`` from src/core/kernel/contract.json plus the settings
schemas' defaults; it is read with pkgutil so it works from the runtime zip too.
"""

import json
import pkgutil

CONTRACT = json.loads(pkgutil.get_data(__package__ or __name__, "_contract.json").decode("utf-8"))

RUNTIME_NAME = CONTRACT["runtimeName"]
MODULE = CONTRACT["module"]
SESSION_MIME = CONTRACT["sessionMime"]
WIDGETS_MIME = CONTRACT["widgetsMime"]
ERROR_NAME = CONTRACT["errorName"]
SECRET_ENV_PREFIX = CONTRACT["secretEnvPrefix"]
WIDGETS_ENV = CONTRACT["widgetsEnv"]
DBFS_ROOT_ENV = CONTRACT["dbfsRootEnv"]
DBFS_ROOT_CONF = CONTRACT["dbfsRootConf"]
SESSION_LABEL = CONTRACT["labels"]["session"]
DRIVER_POD_LABEL = CONTRACT["labels"]["driverPod"]
KERNEL_PID_ANNOTATION = CONTRACT["annotations"]["kernelPid"]
KERNEL_START_ANNOTATION = CONTRACT["annotations"]["kernelStart"]
DEFAULTS = CONTRACT.get("defaults", {})
DEFAULT_ROW_LIMIT = int(DEFAULTS["rowLimit"])
JOB_MODE_ENV = CONTRACT["jobEnv"]["job"]
JOB_ID_ENV = CONTRACT["jobEnv"]["jobId"]
RUN_ID_ENV = CONTRACT["jobEnv"]["runId"]
RUN_OUTPUT_ENV = CONTRACT["jobEnv"]["runOutput"]
TERMINATION_LOG_ENV = CONTRACT["jobEnv"]["terminationLog"]
