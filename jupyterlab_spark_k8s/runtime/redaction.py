"""Redaction of secret values from everything the notebook prints or displays."""

import sys

from .output import in_ipython

REDACTED = "[REDACTED]"
_secret_values = set()


def redact(text):
    for value in sorted(_secret_values, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


class _RedactingStream:
    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(redact(text) if isinstance(text, str) else text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def redact_data(data):
    """`data` (strings, lists, dicts) with every secret value redacted."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: redact_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_data(v) for v in data]
    return data


def redact_value(value):
    """From now on, replace `value` by REDACTED in stdout, stderr and display messages."""
    if len(value) < 3 or value in _secret_values:
        return
    _secret_values.add(value)
    if not isinstance(sys.stdout, _RedactingStream):
        sys.stdout = _RedactingStream(sys.stdout)
        sys.stderr = _RedactingStream(sys.stderr)
    if in_ipython():
        from IPython import get_ipython

        pub = get_ipython().display_pub
        if not getattr(pub, "_spark_k8s_redacting", False):
            publish = pub.publish

            def redacting_publish(data, metadata=None, *args, **kwargs):
                return publish(redact_data(data), metadata, *args, **kwargs)

            pub.publish = redacting_publish
            pub._spark_k8s_redacting = True
