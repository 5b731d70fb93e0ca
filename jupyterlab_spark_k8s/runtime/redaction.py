"""Redaction of secret values from everything a notebook, a job or a script shows or logs.

A value registered with ``redact_value`` (``dbutils.secrets`` registers every value it
reads, and the environment variables its scopes map) is replaced by ``[REDACTED]`` in
its exact form and in the encodings output commonly carries (``encodings``): Python
``repr`` of the text and of its bytes, JSON (also JSON inside JSON), HTML-escaped,
URL-encoded, base64 (standard and URL-safe, at the three byte alignments) and hex. A
prefix of at least ``MIN_PREFIX`` characters of a form followed by a truncation mark
(``...`` as in Spark's ``df.show()``, or ``…``) is redacted too, and so is each line of
at least ``MIN_PREFIX`` characters of a multi-line value (error messages split them).

Where it applies:

- In a kernel (``install_kernel_redaction``): every message the kernel sends through its
  ``Session`` (iopub: stream, display_data, update_display_data, execute_result, error
  with its traceback; shell replies too) has its content and metadata redacted. Stream
  text is redacted across messages (``StreamRedactor``): the end of a stream message
  that could begin a value is held back until the next message, or for ``HOLD_SECONDS``
  (then a held start of ``MIN_PREFIX`` characters or more is redacted, a shorter one is
  sent as is; either way the rest of the value, when it comes, is redacted).
  What subprocesses write to the kernel's file descriptors reaches the notebook through
  ipykernel's own fd capture (and so the same ``Session``); the copy ipykernel echoes to
  the kernel's original stdout/stderr (the Jupyter server's log) goes through an
  ``FdRedactor`` pipe.
- Outside a kernel (a published job's driver, a generated script): file descriptors 1
  and 2 are replaced by pipes whose reader redacts before writing to the original
  descriptors (``redact_process_output``), so print, logging handlers made at any
  time, subprocesses and the JVM started from Python are covered.
"""

import atexit
import base64
import json
import os
import select
import sys
import threading
import urllib.parse

from .output import in_ipython

REDACTED = "[REDACTED]"
MIN_VALUE = 3
"""Shorter values are not redacted: they would hide ordinary text."""
MIN_FORM = 6
"""Encodings (other than the value itself) shorter than this are not searched."""
MIN_PREFIX = 8
"""A truncated or dangling prefix of a value is redacted from this many characters."""
HOLD_SECONDS = 0.5
"""How long a stream's possibly-secret tail waits for the rest before it is sent."""
_TRUNCATIONS = ("...", "\u2026")

_lock = threading.RLock()
_values = set()
_forms = ()


def _repr_forms(text):
    """The inside of text's repr, with ' unescaped and escaped."""
    plain = repr(text)[1:-1]
    quoted = repr(text + "'\"")[1:-1][: -len("\\'\"")]
    return {plain, quoted}


def _bytes_repr_forms(data):
    plain = repr(data)[2:-1]
    quoted = repr(data + b"'\"")[2:-1][: -len("\\'\"")]
    return {plain, quoted}


def _html_forms(text):
    base = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        base,
        base.replace('"', "&quot;").replace("'", "&#x27;"),
        base.replace('"', "&#34;").replace("'", "&#39;"),
        base.replace('"', "&quot;").replace("'", "&#39;"),
        base.replace('"', "&quot;").replace("'", "&apos;"),
    }


def _base64_forms(data):
    """base64 of data at each of the three byte alignments, only the characters data alone decides."""
    out = set()
    for offset in range(3):
        padded = b"\0" * offset + data
        start = -(-offset * 8 // 6)  # ceil: the first character made of data's bits only
        end = len(padded) * 8 // 6  # the last character made of whole bits of data
        for encoded in (base64.b64encode(padded), base64.urlsafe_b64encode(padded)):
            out.add(encoded.decode("ascii")[start:end])
    return out


def encodings(value):
    """The forms of `value` (str or bytes) that are searched for in output."""
    data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    texts = set()
    if isinstance(value, str):
        texts.add(value)
    try:
        texts.add(data.decode("utf-8"))
    except UnicodeDecodeError:
        texts.add(data.decode("utf-8", "replace"))
    forms = set()
    for text in texts:
        forms.add(text)
        escaped = _repr_forms(text)
        for js in (json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]):
            escaped.add(js)
            escaped.add(json.dumps(js)[1:-1])
        forms |= escaped
        for form in [text, *escaped]:
            forms |= _html_forms(form)
        forms |= {
            urllib.parse.quote(text, safe=""),
            urllib.parse.quote(text),
            urllib.parse.quote_plus(text),
        }
    forms |= _bytes_repr_forms(data)
    forms |= _base64_forms(data)
    forms |= {data.hex(), data.hex().upper()}
    exact = texts | {value} if isinstance(value, str) else texts
    return {f for f in forms if f in exact or len(f) >= MIN_FORM}


def redact_value(value):
    """From now on, redact `value` (str or bytes) and its encodings wherever output is redacted."""
    global _forms
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value)
    elif not isinstance(value, str):
        value = str(value)
    if len(value) < MIN_VALUE:
        return
    with _lock:
        if value in _values:
            return
        _values.add(value)
        found = set(_forms)
        for form in encodings(value):
            if len(form) >= MIN_VALUE:
                found.add(form)
        # Each long line of a multi-line value (a PEM key) on its own: output may split them.
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for line in text.splitlines():
            if len(line) >= MIN_PREFIX and line != text:
                found |= {line, json.dumps(line)[1:-1], *_html_forms(line)}
        _forms = tuple(sorted(found, key=lambda f: (-len(f), f)))
    _install()


def secret_forms():
    """Every form searched for, longest first."""
    return _forms


def _prefix_before(text, end, form):
    """The length of the longest start of `form` (>= MIN_PREFIX, not all of it) ending at text[end]."""
    low = max(end - len(form) + 1, 0)
    i = text.find(form[0], low, end - MIN_PREFIX + 1)
    while i >= 0:
        if form.startswith(text[i:end]):
            return end - i
        i = text.find(form[0], i + 1, end - MIN_PREFIX + 1)
    return 0


def _truncated(text, forms):
    """Prefixes (>= MIN_PREFIX characters) of a form right before a truncation mark, redacted."""
    for mark in _TRUNCATIONS:
        i = text.find(mark)
        while i >= 0:
            cut = max((_prefix_before(text, i, form) for form in forms if len(form) > MIN_PREFIX), default=0)
            if cut:
                text = text[: i - cut] + REDACTED + text[i:]
                i = i - cut + len(REDACTED)
            i = text.find(mark, i + len(mark))
    return text


def redact(text):
    """`text` with every registered value, in every form, replaced by REDACTED."""
    forms = _forms
    if not forms or not isinstance(text, str):
        return text
    for form in forms:
        if form in text:
            text = text.replace(form, REDACTED)
    if any(mark in text for mark in _TRUNCATIONS):
        text = _truncated(text, forms)
    return text


def redact_data(data):
    """`data` (strings, lists, tuples, dicts) with every secret value redacted."""
    if not _forms:
        return data
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: redact_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(redact_data(v) for v in data)
    return data


def _held_length(text, forms):
    """The length of text's longest end that is the start (not all) of a form."""
    best = 0
    for form in forms:
        first = form[0]
        low = max(len(text) - len(form) + 1, 0)
        i = text.rfind(first, low)
        while i >= 0:
            length = len(text) - i
            if length > best and form.startswith(text[i:]):
                best = length
            i = text.rfind(first, low, i)
    return best


def _dangling(text, forms):
    """text with an end that starts a form (>= MIN_PREFIX characters) redacted."""
    held = _held_length(text, forms)
    if held >= MIN_PREFIX:
        return text[:-held] + REDACTED
    return text


def _continuation(sent, text, forms):
    """The length of text's start that completes a form whose beginning was already sent."""
    cut = 0
    for form in forms:
        low = max(len(sent) - len(form) + 1, 0)
        i = sent.find(form[0], low)
        while i >= 0:
            begun = len(sent) - i
            if form.startswith(sent[i:]) and text.startswith(form[begun:]):
                cut = max(cut, len(form) - begun)
            i = sent.find(form[0], i + 1)
    return cut


class StreamRedactor:
    """Redacts one text stream written in pieces: a value split across pieces is still found.

    ``feed(text)`` returns what can be sent now and keeps back an end that could begin a
    value; ``flush()`` returns what was kept (a kept end of >= MIN_PREFIX characters that
    begins a value is redacted). What a flush sent is remembered, so the rest of a value
    whose beginning had to be sent is redacted when it arrives.
    """

    def __init__(self):
        self._pending = ""
        self._sent = ""

    @property
    def pending(self):
        return self._pending

    def feed(self, text, final=False):
        forms = _forms
        text = self._pending + text
        self._pending = ""
        if not forms:
            return text
        if self._sent:
            cut = _continuation(self._sent, text, forms)
            if cut:
                text = REDACTED + text[cut:]
        text = redact(text)
        if final:
            # The unredacted end is remembered: the rest of its value, when it comes, is redacted.
            self._sent = text[-len(forms[0]) :]
            return _dangling(text, forms)
        held = _held_length(text, forms)
        if held:
            text, self._pending = text[:-held], text[-held:]
        # What is sent ends with no start of a form (the longest such end is held): nothing to continue.
        self._sent = ""
        return text

    def flush(self):
        return self.feed("", final=True) if self._pending else ""


# ---------------------------------------------------------------------------
# File descriptors


class FdRedactor:
    """A pipe whose reader thread redacts what is written to it and writes it to `target_fd`."""

    def __init__(self, target_fd):
        self.target_fd = target_fd
        self._read, self.write_fd = os.pipe()
        self._stream = StreamRedactor()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spark-k8s-redact", daemon=True)
        self._thread.start()

    def _emit(self, text):
        data = text.encode("utf-8", "surrogateescape")
        while data:
            try:
                written = os.write(self.target_fd, data)
            except OSError:
                return
            data = data[written:]

    def _run(self):
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        while True:
            try:
                ready, _, _ = select.select([self._read], [], [], HOLD_SECONDS)
            except (OSError, ValueError):
                break
            if not ready:  # quiet: send what was held; when closing, the pipe is drained
                self._emit(self._stream.flush())
                if self._closing.is_set():
                    break
                continue
            try:
                chunk = os.read(self._read, 65536)
            except OSError:
                break
            if not chunk:
                break
            self._emit(self._stream.feed(decoder.decode(chunk)))
        self._emit(self._stream.feed(decoder.decode(b"", True), final=True))
        os.close(self._read)

    def close(self, timeout=5):
        """Stop after what was written is forwarded (waits for a quiet pipe, at most `timeout` s)."""
        try:
            os.close(self.write_fd)
        except OSError:
            pass
        self._closing.set()
        self._thread.join(timeout)


_process = {}


def redact_process_output():
    """Outside a kernel: route file descriptors 1 and 2 through redacting pipes (once per process).

    Until the process exits (or ``restore_process_output``), everything written to them (by
    Python, logging handlers, subprocesses, a JVM started from here) is redacted before it
    reaches the original descriptors.
    """
    with _lock:
        if _process:
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        try:
            same = _identity(1) == _identity(2)
        except OSError:
            return
        pipe = None
        for fd in (1, 2):
            original = os.dup(fd)
            if pipe is None or not same:
                # One pipe when 1 and 2 share a file (spark-submit's merged driver log): order kept.
                pipe = FdRedactor(original)
            os.dup2(pipe.write_fd, fd)
            _process[fd] = (original, pipe)
        atexit.register(restore_process_output)


def _identity(fd):
    stat = os.fstat(fd)
    return (stat.st_dev, stat.st_ino)


def restore_process_output():
    """Put file descriptors 1 and 2 back and forward what the pipes still hold."""
    with _lock:
        entries = list(_process.items())
        _process.clear()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    for fd, (original, _) in entries:
        os.dup2(original, fd)
    for pipe in {id(p): p for _, (_, p) in entries}.values():
        pipe.close()
    for _, (original, _) in entries:
        os.close(original)


# ---------------------------------------------------------------------------
# The kernel


def _kernel():
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None)


class _KernelRedaction:
    """Wraps the kernel Session's send: every message's content and metadata redacted."""

    def __init__(self, session):
        self.session = session
        self.original = session.send
        self.streams = {}  # name -> [StreamRedactor, parent header, socket, ident]
        self.lock = threading.RLock()
        self.armed = False

    def send(self, stream, msg_or_type, content=None, parent=None, ident=None, *args, **kwargs):
        if isinstance(msg_or_type, dict):
            msg = dict(msg_or_type)
        else:
            msg = self.session.msg(
                msg_or_type,
                content=content,
                parent=parent,
                header=kwargs.pop("header", None),
                metadata=kwargs.pop("metadata", None),
            )
        with self.lock:
            kind = msg.get("msg_type") or (msg.get("header") or {}).get("msg_type")
            if kind == "stream" and isinstance(msg.get("content"), dict):
                return self._stream(stream, msg, ident, args, kwargs)
            self._flush_streams()
            msg["content"] = redact_data(msg.get("content"))
            msg["metadata"] = redact_data(msg.get("metadata"))
            return self.original(stream, msg, None, None, ident, *args, **kwargs)

    def _stream(self, stream, msg, ident, args, kwargs):
        content = dict(msg["content"])
        name = content.get("name", "stdout")
        parent = msg.get("parent_header")
        entry = self.streams.get(name)
        if entry is not None and entry[1] != parent:
            self._flush_stream(name)
            entry = None
        if entry is None:
            entry = self.streams[name] = [StreamRedactor(), parent, stream, ident]
        entry[2], entry[3] = stream, ident
        content["text"] = entry[0].feed(str(content.get("text", "")))
        if entry[0].pending:
            self._arm(stream)
        if not content["text"]:
            return msg
        msg["content"] = content
        msg["metadata"] = redact_data(msg.get("metadata"))
        return self.original(stream, msg, None, None, ident, *args, **kwargs)

    def _flush_stream(self, name):
        entry = self.streams.pop(name, None)
        if entry is None:
            return
        text = entry[0].flush()
        if text:
            msg = self.session.msg("stream", {"name": name, "text": text}, parent=entry[1])
            self.original(entry[2], msg, None, None, entry[3])

    def _flush_streams(self):
        for name in [n for n, e in self.streams.items() if e[0].pending]:
            self._flush_stream(name)

    def _arm(self, socket):
        """Send held tails after HOLD_SECONDS: on the IOPub thread's loop (no thread of our own)."""
        if self.armed:
            return
        self.armed = True
        schedule, loop = getattr(socket, "schedule", None), getattr(socket, "io_loop", None)
        if schedule is not None and loop is not None:
            schedule(lambda: loop.call_later(HOLD_SECONDS, self._on_timer))
        else:
            timer = threading.Timer(HOLD_SECONDS, self._on_timer)
            timer.daemon = True
            timer.start()

    def _on_timer(self):
        with self.lock:
            self.armed = False
            self._flush_streams()


def install_kernel_redaction(kernel=None):
    """Redact every message `kernel` (this process's IPython kernel by default) sends."""
    kernel = kernel or _kernel()
    session = getattr(kernel, "session", None)
    if session is None or getattr(session, "_spark_k8s_redaction", None) is not None:
        return
    hook = _KernelRedaction(session)
    session._spark_k8s_redaction = hook
    session.send = hook.send
    # ipykernel echoes what arrives on fds 1 and 2 to the original descriptors (the server's log).
    for stream in (
        sys.stdout,
        sys.stderr,
        getattr(sys, "__stdout__", None),
        getattr(sys, "__stderr__", None),
    ):
        copy = getattr(stream, "_original_stdstream_copy", None)
        if isinstance(copy, int) and not getattr(stream, "_spark_k8s_redacting", False):
            stream._original_stdstream_copy = FdRedactor(copy).write_fd
            stream._spark_k8s_redacting = True


def _install():
    if in_ipython() and _kernel() is not None:
        install_kernel_redaction()
    else:
        redact_process_output()
