"""Tradewatch client for Python trading bots.

One file, standard library only, Python 3.8+. Copy it next to your bot (or put it on
PYTHONPATH) and::

    from tradewatch_client import TradewatchClient

    tw = TradewatchClient("http://127.0.0.1:8080", token="tw_...", bot="my-bot",
                          spool_dir="./tradewatch-spool")
    tw.start_heartbeat(interval=30)

    @tw.on_halt
    def halt(command):
        strategy.stop()            # acknowledged when this returns (an exception acks "error")

    tw.fill(symbol="BTCUSDT", side="buy", qty=0.01, price=42000.0, fee=0.42)
    tw.close()

Every event gets its id when it is created, so a retried or replayed event is recognised by
the hub and counted once. Events wait in a spool until the hub acknowledges them: with
``spool_dir`` an append-only, fsynced file spool that also survives restarts of the bot;
without it a bounded in-memory spool. While the hub is unreachable (network error, 5xx, 429)
the client keeps spooling and retries with exponential backoff; when the hub answers again the
spool is replayed in order. A 400/409/403 means the hub refused those events for good: they
are reported to ``on_error`` and dropped, never retried.
"""

import base64
import datetime
import json
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = [
    "TradewatchClient",
    "TradewatchError",
    "EventValidationError",
    "HubRejectedError",
    "HubUnavailableError",
    "SpoolFullError",
]

__version__ = "0.1.0"

MAX_EVENTS_PER_BATCH = 10000
MAX_BODY_BYTES = 5 * 1024 * 1024

SIDES = ("buy", "sell")
ORDER_TYPES = ("market", "limit", "stop", "stop_limit", "trailing_stop")
ORDER_STATUSES = ("new", "submitted", "accepted", "partially_filled", "filled",
                  "cancelled", "rejected", "expired")
CASH_FLOW_KINDS = ("deposit", "withdrawal", "dividend", "interest", "fee", "transfer")
DIRECTIONS = ("long", "short", "flat")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
EVENT_TYPES = ("fill", "order", "position", "balance", "cash_flow", "mark", "signal",
               "heartbeat", "log", "metric")
_HOLDER_TYPES = ("fill", "order", "position", "balance", "cash_flow")
_STRATEGY_TYPES = ("fill", "order", "signal")
_REQUIRED = {
    "fill": ("symbol", "side", "qty", "price"),
    "order": ("order_id", "symbol", "side", "qty", "order_type", "status"),
    "position": ("symbol", "qty"),
    "balance": ("cash",),
    "cash_flow": ("amount", "kind"),
    "mark": ("symbol", "price"),
    "signal": ("symbol", "direction"),
    "heartbeat": (),
    "log": ("level", "message"),
    "metric": ("name", "value"),
}


class TradewatchError(Exception):
    """Base class of the errors this client raises or reports."""


class EventValidationError(TradewatchError, ValueError):
    """An event was refused before it was queued."""


class HubRejectedError(TradewatchError):
    """The hub refused events for good (400, 403, 409); they are dropped."""

    def __init__(self, status, code, message, details, events):
        TradewatchError.__init__(self, message)
        self.status = status
        self.code = code
        self.details = details
        self.events = events


class HubUnavailableError(TradewatchError):
    """The hub could not be reached (or answered 5xx/429/401); events stay spooled."""

    def __init__(self, message, status=None):
        TradewatchError.__init__(self, message)
        self.status = status


class SpoolFullError(TradewatchError):
    """The spool has no room for more events."""


_id_lock = threading.Lock()
_id_counter = [0]


def _base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def new_event_id(now_ms=None):
    """A sortable, unique event id, fixed when the event is created."""
    with _id_lock:
        _id_counter[0] = (_id_counter[0] + 1) % 0x100000
        counter = _id_counter[0]
    ms = int(time.time() * 1000) if now_ms is None else int(now_ms)
    rand = base64.urlsafe_b64encode(os.urandom(6)).decode("ascii").rstrip("=")
    return "tw" + _base36(ms) + _base36(counter).rjust(4, "0") + rand


def _wire_time(value):
    """epoch ms (int/float), ISO 8601 text, or datetime (naive = UTC) -> a wire time."""
    if value is None:
        return int(time.time() * 1000)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp() * 1000)
    if isinstance(value, bool):
        raise EventValidationError("ts: expected epoch milliseconds, ISO 8601 text or a datetime")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        return value
    raise EventValidationError("ts: expected epoch milliseconds, ISO 8601 text or a datetime")


def _number(event, key, positive=False, nonnegative=False):
    v = event.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
        raise EventValidationError("%s event: %s must be a number, got %r" % (event["type"], key, v))
    if positive and not v > 0:
        raise EventValidationError("%s event: %s must be greater than zero, got %r" % (event["type"], key, v))
    if nonnegative and v < 0:
        raise EventValidationError("%s event: %s must not be negative, got %r" % (event["type"], key, v))


def validate_event(event):
    """Checks what the hub would refuse anyway, so a bad event fails at the call site."""
    etype = event.get("type")
    if etype not in EVENT_TYPES:
        raise EventValidationError("unknown event type %r; expected one of %s" % (etype, ", ".join(EVENT_TYPES)))
    for key in _REQUIRED[etype]:
        if event.get(key) is None:
            raise EventValidationError("%s event: %s is required" % (etype, key))
    if etype in ("fill", "order") and event["side"] not in SIDES:
        raise EventValidationError("%s event: side must be buy or sell, got %r" % (etype, event["side"]))
    if etype == "fill":
        _number(event, "qty", positive=True)
        _number(event, "price", positive=True)
        if "fee" in event:
            _number(event, "fee", nonnegative=True)
    elif etype == "order":
        _number(event, "qty", positive=True)
        if event["order_type"] not in ORDER_TYPES:
            raise EventValidationError("order event: order_type must be one of %s" % ", ".join(ORDER_TYPES))
        if event["status"] not in ORDER_STATUSES:
            raise EventValidationError("order event: status must be one of %s" % ", ".join(ORDER_STATUSES))
    elif etype == "position":
        _number(event, "qty")
    elif etype == "balance":
        _number(event, "cash")
    elif etype == "cash_flow":
        _number(event, "amount")
        if event["amount"] == 0:
            raise EventValidationError("cash_flow event: amount must not be zero")
        if event["kind"] not in CASH_FLOW_KINDS:
            raise EventValidationError("cash_flow event: kind must be one of %s" % ", ".join(CASH_FLOW_KINDS))
    elif etype == "mark":
        _number(event, "price", positive=True)
    elif etype == "signal":
        if event["direction"] not in DIRECTIONS:
            raise EventValidationError("signal event: direction must be long, short or flat")
    elif etype == "log":
        if event["level"] not in LOG_LEVELS:
            raise EventValidationError("log event: level must be one of %s" % ", ".join(LOG_LEVELS))
        if not isinstance(event["message"], str) or event["message"] == "":
            raise EventValidationError("log event: message must be non-empty text")
    elif etype == "metric":
        _number(event, "value")


# ------------------------------------------------------------------------------------------
# Spools: a FIFO of serialized events; append is durable when it returns (file spool).


class MemorySpool(object):
    def __init__(self, max_bytes=64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items = []
        self._bytes = 0

    def append(self, lines):
        add = sum(len(l) + 1 for l in lines)
        if self._bytes + add > self.max_bytes:
            raise SpoolFullError("the in-memory spool is full (%d bytes)" % self.max_bytes)
        self._items.extend(lines)
        self._bytes += add

    def peek(self, max_events, max_bytes):
        return _take_within(self._items, 0, max_events, max_bytes)

    def ack(self, n):
        for line in self._items[:n]:
            self._bytes -= len(line) + 1
        del self._items[:n]

    def size(self):
        return len(self._items)

    def close(self):
        pass


def _take_within(items, start, max_events, max_bytes):
    out = []
    total = 0
    for line in items[start:]:
        if len(out) >= max_events:
            break
        if out and total + len(line) + 1 > max_bytes:
            break
        out.append(line)
        total += len(line) + 1
    return out


def _parse_lines(text):
    out = []
    for line in text.split("\n"):
        if not line:
            continue
        try:
            json.loads(line)
        except ValueError:
            continue  # a torn write from a crash mid-append
        out.append(line)
    return out


class FileSpool(object):
    """Append-only JSON-lines segment files in one directory, fsynced on every append.

    Fully acknowledged segments are deleted; on start the existing segments are replayed in
    order. Compatible with the TypeScript SDK's spool format.
    """

    def __init__(self, directory, max_bytes=256 * 1024 * 1024, segment_bytes=8 * 1024 * 1024):
        self.dir = directory
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self._segments = []  # dicts: seq, file, lines (list or None), acked, count, bytes
        self._writer = None
        self._bytes = 0
        self._waiting = 0
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
        for name in sorted(os.listdir(directory)):
            if not (name.startswith("spool-") and name.endswith(".jsonl")):
                continue
            path = os.path.join(directory, name)
            with open(path, "r", encoding="utf-8") as fh:
                lines = _parse_lines(fh.read())
            if not lines:
                os.unlink(path)
                continue
            size = os.path.getsize(path)
            self._segments.append({"seq": int(name[6:-6]), "file": path, "lines": None,
                                   "acked": 0, "count": len(lines), "bytes": size})
            self._bytes += size
            self._waiting += len(lines)

    def _start_segment(self):
        seq = self._segments[-1]["seq"] + 1 if self._segments else 1
        path = os.path.join(self.dir, "spool-%012d.jsonl" % seq)
        if self._writer is not None:
            self._writer.close()
        self._writer = open(path, "ab")
        seg = {"seq": seq, "file": path, "lines": [] if not self._segments else None,
               "acked": 0, "count": 0, "bytes": 0}
        self._segments.append(seg)
        return seg

    def append(self, lines):
        if not lines:
            return
        data = ("\n".join(lines) + "\n").encode("utf-8")
        if self._bytes + len(data) > self.max_bytes:
            raise SpoolFullError("the spool in %s is full (%d of %d bytes)" % (self.dir, self._bytes, self.max_bytes))
        seg = self._segments[-1] if self._segments else None
        if seg is None or self._writer is None or seg["bytes"] >= self.segment_bytes:
            seg = self._start_segment()
        self._writer.write(data)
        self._writer.flush()
        os.fsync(self._writer.fileno())
        seg["bytes"] += len(data)
        seg["count"] += len(lines)
        if seg["lines"] is not None:
            seg["lines"].extend(lines)
        self._bytes += len(data)
        self._waiting += len(lines)

    def _lines(self, seg):
        if seg["lines"] is None:
            with open(seg["file"], "r", encoding="utf-8") as fh:
                seg["lines"] = _parse_lines(fh.read())
        return seg["lines"]

    def peek(self, max_events, max_bytes):
        out = []
        total = 0
        for seg in self._segments:
            lines = self._lines(seg)
            part = _take_within(lines, seg["acked"], max_events - len(out), max_bytes - total)
            if not part and out:
                break
            total += sum(len(l) + 1 for l in part)
            out.extend(part)
            if len(out) >= max_events or seg["acked"] + len(part) < len(lines):
                break
        return out

    def ack(self, n):
        left = n
        while left > 0 and self._segments:
            seg = self._segments[0]
            lines = self._lines(seg)
            take = min(left, len(lines) - seg["acked"])
            seg["acked"] += take
            left -= take
            self._waiting -= take
            if seg["acked"] < len(lines):
                break
            if seg is self._segments[-1] and self._writer is not None:
                self._writer.close()
                self._writer = None
            self._segments.pop(0)
            self._bytes -= seg["bytes"]
            try:
                os.unlink(seg["file"])
            except OSError:
                pass

    def size(self):
        return self._waiting

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _id_of(line):
    marker = '"id": "'
    i = line.find(marker)
    if i < 0:
        return line
    j = line.find('"', i + len(marker))
    return line[i + len(marker):j]


# ------------------------------------------------------------------------------------------


class TradewatchClient(object):
    """Reports a bot's fills, orders, positions, heartbeats and logs to a Tradewatch hub."""

    def __init__(self, url, token, bot, account=None, strategy=None, version=None,
                 batch_size=1000, max_batch_bytes=1024 * 1024, flush_interval=1.0,
                 retry_base=0.25, retry_max=30.0, request_timeout=15.0,
                 spool_dir=None, spool_max_bytes=256 * 1024 * 1024,
                 memory_max_bytes=64 * 1024 * 1024, command_wait=25, commands=True,
                 on_error=None, on_state_change=None):
        if not url or not token or not bot:
            raise ValueError("url, token and bot are required")
        self.url = url.rstrip("/")
        self.token = token
        self.bot = bot
        self.account = account
        self.strategy = strategy
        self.version = version
        self.batch_size = min(int(batch_size), MAX_EVENTS_PER_BATCH)
        self.max_batch_bytes = min(int(max_batch_bytes), MAX_BODY_BYTES - 1024)
        self.flush_interval = flush_interval
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.request_timeout = request_timeout
        self.command_wait = command_wait
        self.commands_enabled = commands
        self.on_error = on_error
        self.on_state_change = on_state_change
        self.state = "starting"
        self.stats = {"accepted": 0, "duplicates": 0, "rejected": 0, "requests": 0, "failed_requests": 0}

        if spool_dir:
            self._spool = FileSpool(spool_dir, max_bytes=spool_max_bytes)
        else:
            self._spool = MemorySpool(memory_max_bytes)
        self._cond = threading.Condition()
        self._pending = []
        self._created = self._spool.size()
        self._acked = 0
        self._rejected_ids = set()
        self._stopped = False
        self._kick = False
        self._last_reported = None
        self._stop_event = threading.Event()

        self._status = None
        self._heartbeat_interval = None
        self._heartbeat_status = None
        self._connections = {}
        self._heartbeat_thread = None

        self._handlers = {}
        self._handled = {}
        self._command_thread = None

        self._sender = threading.Thread(target=self._run, name="tradewatch-sender", daemon=True)
        self._sender.start()

    # -------------------------------------------------------------------------------- state

    def _set_state(self, state):
        if self.state == state:
            return
        self.state = state
        if self.on_state_change is not None:
            try:
                self.on_state_change(state)
            except Exception:  # a callback must not stop the client
                pass

    def _report(self, error, once_key=None):
        if once_key is not None:
            if self._last_reported == once_key:
                return
            self._last_reported = once_key
        if self.on_error is not None:
            try:
                self.on_error(error)
            except Exception:
                pass

    @property
    def pending_count(self):
        """Events created and not yet acknowledged by the hub."""
        with self._cond:
            return self._created - self._acked

    # -------------------------------------------------------------------------------- events

    def send(self, event):
        """Queues one event (a dict with "type") and returns its id."""
        if self._stopped:
            raise TradewatchError("the client is closed")
        # The id goes first so the spool can find it without parsing (nested dicts come later).
        e = {"id": event.get("id") or new_event_id()}
        e.update((k, v) for k, v in event.items() if v is not None and k != "id")
        e.setdefault("bot", self.bot)
        e["ts"] = _wire_time(e.get("ts"))
        if self.account and e.get("type") in _HOLDER_TYPES:
            e.setdefault("account", self.account)
        if self.strategy and e.get("type") in _STRATEGY_TYPES:
            e.setdefault("strategy", self.strategy)
        validate_event(e)
        line = json.dumps(e, separators=(",", ": "), sort_keys=False, allow_nan=False)
        if len(line) + 32 > self.max_batch_bytes:
            raise EventValidationError("the %s event is larger than a batch (%d bytes)" % (e["type"], len(line)))
        with self._cond:
            if len(self._pending) >= 100000:
                raise SpoolFullError("100,000 events are waiting for a full spool; the event was not queued")
            self._pending.append(line)
            self._created += 1
            if len(self._pending) >= self.batch_size or e["type"] == "heartbeat":
                self._kick = True
                self._cond.notify_all()
        return e["id"]

    def fill(self, symbol, side, qty, price, fee=0, **fields):
        return self.send(dict(fields, type="fill", symbol=symbol, side=side, qty=qty, price=price, fee=fee))

    def order(self, order_id, symbol, side, qty, order_type, status, **fields):
        return self.send(dict(fields, type="order", order_id=str(order_id), symbol=symbol, side=side,
                              qty=qty, order_type=order_type, status=status))

    def position(self, symbol, qty, **fields):
        return self.send(dict(fields, type="position", symbol=symbol, qty=qty))

    def balance(self, cash, **fields):
        return self.send(dict(fields, type="balance", cash=cash))

    def cash_flow(self, amount, kind, **fields):
        return self.send(dict(fields, type="cash_flow", amount=amount, kind=kind))

    def mark(self, symbol, price, **fields):
        return self.send(dict(fields, type="mark", symbol=symbol, price=price))

    def signal(self, symbol, direction, **fields):
        return self.send(dict(fields, type="signal", symbol=symbol, direction=direction))

    def log(self, level, message, context=None, **fields):
        return self.send(dict(fields, type="log", level=level, message=message, context=context))

    def metric(self, name, value, labels=None, **fields):
        return self.send(dict(fields, type="metric", name=name, value=value, labels=labels))

    def flush(self, timeout=None):
        """Waits until every event created before the call is acknowledged by the hub.

        Returns True when they are, False when ``timeout`` (seconds) ran out first — the
        events then stay in the spool and are delivered when the hub answers again.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._created
            self._kick = True
            self._cond.notify_all()
            while self._acked < target:
                if self._stopped and not self._sender.is_alive():
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(timeout=0.5 if remaining is None else min(remaining, 0.5))
            return True

    # -------------------------------------------------------------------------------- sender

    def _persist(self):
        with self._cond:
            lines = self._pending
            self._pending = []
        if not lines:
            return
        try:
            self._spool.append(lines)
        except SpoolFullError as error:
            with self._cond:
                self._pending = lines + self._pending
            self._report(error, "spool")

    def _wait(self, seconds):
        """Sleeps up to `seconds`, waking early for flush(), a full batch or close()."""
        with self._cond:
            if not self._kick and not self._stopped:
                self._cond.wait(timeout=seconds)
            self._kick = False

    def _run(self):
        failures = 0
        while True:
            self._persist()
            if self._spool.size() == 0:
                if self._stopped:
                    break
                self._wait(self.flush_interval)
                continue
            lines = self._spool.peek(self.batch_size, self.max_batch_bytes)
            to_send = [l for l in lines if _id_of(l) not in self._rejected_ids] if self._rejected_ids else lines
            if to_send:
                outcome = self._post(to_send)
            else:
                outcome = {"kind": "ok", "status": 200, "accepted": 0, "duplicates": 0}
            kind = outcome["kind"]
            if kind == "ok":
                failures = 0
                for l in lines:
                    self._rejected_ids.discard(_id_of(l))
                self._spool.ack(len(lines))
                self.stats["accepted"] += outcome.get("accepted", 0)
                self.stats["duplicates"] += outcome.get("duplicates", 0)
                self._last_reported = None
                self._set_state("online")
                with self._cond:
                    self._acked += len(lines)
                    self._cond.notify_all()
            elif kind == "rejected":
                details = outcome.get("details") or []
                indexes = sorted(set(d["index"] for d in details if isinstance(d, dict) and "index" in d))
                bad = [to_send[i] for i in indexes if 0 <= i < len(to_send)] or to_send
                for l in bad:
                    self._rejected_ids.add(_id_of(l))
                self.stats["rejected"] += len(bad)
                self._set_state("online")
                self._report(HubRejectedError(
                    outcome["status"], outcome.get("code", "invalid"),
                    "the hub refused %d event(s) (%s): %s" % (len(bad), outcome["status"], outcome.get("message", "")),
                    details, [json.loads(l) for l in bad]))
            elif kind == "too_large":
                self.batch_size = max(1, len(to_send) // 2)
            else:
                if self._stopped:
                    break
                failures += 1
                self._set_state("offline")
                self._report(HubUnavailableError(
                    "the hub is unavailable (%s); %d events spooled, retrying" % (outcome.get("message"), self._spool.size()),
                    outcome.get("status")), "retry:%s" % outcome.get("status"))
                backoff = min(self.retry_max, self.retry_base * (2 ** min(failures - 1, 16)))
                delay = backoff / 2 + random.random() * backoff / 2
                self._wait(max(delay, outcome.get("retry_after", 0)))
        self._spool.close()

    def _request(self, method, path, body=None, timeout=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("User-Agent", "tradewatch-python/" + __version__)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        return urllib.request.urlopen(req, timeout=timeout or self.request_timeout)

    def _post(self, lines):
        self.stats["requests"] += 1
        body = ('{"events":[' + ",".join(lines) + "]}").encode("utf-8")
        try:
            with self._request("POST", "/api/v1/ingest", body) as res:
                parsed = json.loads(res.read().decode("utf-8") or "{}")
                return {"kind": "ok", "status": res.status, "accepted": parsed.get("accepted", 0),
                        "duplicates": parsed.get("duplicates", 0)}
        except urllib.error.HTTPError as error:
            self.stats["failed_requests"] += 1
            try:
                parsed = json.loads(error.read().decode("utf-8") or "{}")
            except ValueError:
                parsed = {}
            common = {"status": error.code, "message": parsed.get("message", error.reason),
                      "code": parsed.get("error", "error"), "details": parsed.get("details", [])}
            if error.code == 413:
                return dict(common, kind="too_large")
            if error.code in (400, 403, 409, 422):
                return dict(common, kind="rejected")
            retry_after = 0
            try:
                retry_after = float(error.headers.get("Retry-After") or 0)
            except (TypeError, ValueError):
                pass
            return dict(common, kind="retry", retry_after=retry_after)
        except (urllib.error.URLError, OSError, ValueError) as error:
            self.stats["failed_requests"] += 1
            reason = getattr(error, "reason", error)
            return {"kind": "retry", "status": None, "message": str(reason)}

    # -------------------------------------------------------------------------------- heartbeats

    def start_heartbeat(self, interval=30, status=None):
        """Sends a heartbeat now and then every ``interval`` seconds until close()."""
        self._heartbeat_interval = interval
        self._heartbeat_status = status
        self.heartbeat()
        if self._heartbeat_thread is None:
            self._heartbeat_thread = threading.Thread(target=self._heartbeat_loop, name="tradewatch-heartbeat", daemon=True)
            self._heartbeat_thread.start()

    def _heartbeat_loop(self):
        while not self._stop_event.wait(self._heartbeat_interval or 30):
            try:
                self.heartbeat()
            except TradewatchError as error:
                self._report(error)

    def heartbeat(self):
        """Sends one heartbeat with the status, version and connection states."""
        status = self._status
        if status is None:
            s = self._heartbeat_status
            status = s() if callable(s) else s
        event = {"type": "heartbeat", "interval_s": self._heartbeat_interval or 30}
        if status:
            event["status"] = str(status)[:64]
        if self.version:
            event["version"] = str(self.version)[:64]
        if self._connections:
            event["connections"] = dict(self._connections)
        return self.send(event)

    def set_status(self, status):
        if self._status == status:
            return
        self._status = status
        if self._heartbeat_thread is not None:
            self.heartbeat()

    def set_connection(self, name, state):
        """Records a connection's state ("up"/"down"); a change is reported at once."""
        if state not in ("up", "down"):
            raise ValueError("state must be 'up' or 'down'")
        if self._connections.get(name) == state:
            return
        self._connections[name] = state
        if self._heartbeat_thread is not None:
            self.heartbeat()

    # -------------------------------------------------------------------------------- commands

    def on_halt(self, handler):
        """Registers the halt handler (usable as a decorator); acked when it returns."""
        return self.on_command("halt", handler)

    def on_resume(self, handler):
        return self.on_command("resume", handler)

    def on_flatten(self, handler):
        return self.on_command("flatten", handler)

    def on_command(self, action, handler):
        self._handlers[action] = handler
        if self.commands_enabled and self._command_thread is None and not self._stopped:
            self._command_thread = threading.Thread(target=self._poll_commands, name="tradewatch-commands", daemon=True)
            self._command_thread.start()
        return handler

    def _poll_commands(self):
        failures = 0
        while not self._stop_event.is_set():
            query = urllib.parse.urlencode({"bot": self.bot, "wait": self.command_wait})
            try:
                with self._request("GET", "/api/v1/commands?" + query, timeout=self.command_wait + 15) as res:
                    items = json.loads(res.read().decode("utf-8") or "{}").get("items") or []
                failures = 0
                for command in items:
                    self._handle_command(command)
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    self._report(HubUnavailableError(
                        "the hub has no command endpoint (GET /api/v1/commands answered 404); retrying in a minute", 404),
                        "commands:404")
                    self._stop_event.wait(60)
                    continue
                failures += 1
                self._report(HubUnavailableError("GET /api/v1/commands answered %d" % error.code, error.code), "commands:error")
                self._stop_event.wait(min(self.retry_max, 5.0, 0.5 * 2 ** min(failures, 10)))
            except (urllib.error.URLError, OSError, ValueError) as error:
                if self._stop_event.is_set():
                    break
                failures += 1
                self._report(HubUnavailableError("command poll failed: %s" % getattr(error, "reason", error)), "commands:error")
                self._stop_event.wait(min(self.retry_max, 5.0, 0.5 * 2 ** min(failures, 10)))

    def _handle_command(self, command):
        cid = command.get("id")
        done = self._handled.get(cid)
        if done is None:
            handler = self._handlers.get(command.get("action"))
            status, message = "ok", None
            if handler is None:
                status, message = "error", 'this bot has no handler for "%s"' % command.get("action")
            else:
                try:
                    handler(command)
                except Exception as error:  # the handler's failure is reported to the hub
                    status, message = "error", (str(error) or error.__class__.__name__)[:2000]
            done = {"acked": False, "status": status, "message": message}
            self._handled[cid] = done
            if len(self._handled) > 1000:
                self._handled.pop(next(iter(self._handled)))
        if done["acked"]:
            return
        body = {"bot": self.bot, "status": done["status"]}
        if done["message"]:
            body["message"] = done["message"]
        try:
            with self._request("POST", "/api/v1/commands/%s/ack" % urllib.parse.quote(str(cid), safe=""), body):
                pass
            done["acked"] = True
        except urllib.error.HTTPError as error:
            if error.code == 409:
                done["acked"] = True
            else:
                self._report(HubUnavailableError("acknowledging command %s failed (%d)" % (cid, error.code), error.code))

    # -------------------------------------------------------------------------------- close

    def close(self, timeout=10.0):
        """Stops heartbeats and command polling, tries for ``timeout`` seconds to deliver what
        is pending, and stops. Undelivered events stay in a file spool for the next start."""
        if self._stopped:
            return
        delivered = self.flush(timeout=timeout)
        if not delivered and isinstance(self._spool, MemorySpool):
            self._report(TradewatchError("%d events were not delivered and are lost (in-memory spool)" % self.pending_count))
        self._stop_event.set()
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._sender.join(timeout=self.request_timeout + 5)
        self._set_state("closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
