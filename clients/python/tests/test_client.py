"""Tests of tradewatch_client.

The spool and validation tests always run. The hub tests run against a running hub given by
the environment (the vitest suite test/e2e/integrations/python-client.e2e.test.ts starts the
built hub and sets these):

  TRADEWATCH_URL             hub base URL
  TRADEWATCH_TOKEN           an ingest token bound to TRADEWATCH_BOT
  TRADEWATCH_BOT             the bot id
  TRADEWATCH_ADMIN_TOKEN     to read results back
  TRADEWATCH_TEST_CONTROL_URL  a test harness that stops/starts the hub and issues a halt
                             from the CLI (POST /stop, /start, /halt)
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import tradewatch_client as twc  # noqa: E402

URL = os.environ.get("TRADEWATCH_URL")
TOKEN = os.environ.get("TRADEWATCH_TOKEN")
BOT = os.environ.get("TRADEWATCH_BOT", "py-bot")
ADMIN = os.environ.get("TRADEWATCH_ADMIN_TOKEN")
CONTROL = os.environ.get("TRADEWATCH_TEST_CONTROL_URL")


def api(path, token=None, method="GET", body=None):
    req = urllib.request.Request(URL + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Authorization", "Bearer " + (token or ADMIN))
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read().decode() or "{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "{}")


def control(action):
    req = urllib.request.Request(CONTROL + "/" + action, method="POST", data=b"{}")
    with urllib.request.urlopen(req, timeout=120) as res:
        return json.loads(res.read().decode() or "{}")


def fills(symbol):
    status, body = api("/api/v1/fills?bot=%s&symbol=%s&limit=500" % (BOT, symbol))
    assert status == 200, body
    return body["items"]


def wait_until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class ValidationTest(unittest.TestCase):
    def setUp(self):
        self.client = twc.TradewatchClient("http://127.0.0.1:9", "t", "b", commands=False, flush_interval=60)

    def tearDown(self):
        self.client.close(timeout=0)

    def test_refuses_bad_events_at_the_call_site(self):
        with self.assertRaisesRegex(twc.EventValidationError, "qty"):
            self.client.fill("AAPL", "buy", -1, 100)
        with self.assertRaisesRegex(twc.EventValidationError, "side"):
            self.client.fill("AAPL", "hold", 1, 100)
        with self.assertRaisesRegex(twc.EventValidationError, "direction"):
            self.client.signal("AAPL", "up")
        with self.assertRaisesRegex(twc.EventValidationError, "unknown event type"):
            self.client.send({"type": "trade"})
        self.assertEqual(self.client.pending_count, 0)

    def test_ids_are_fixed_at_creation_and_unique(self):
        ids = [self.client.fill("AAPL", "buy", 1, 100) for _ in range(200)]
        self.assertEqual(len(set(ids)), 200)
        self.assertEqual(self.client.fill("AAPL", "buy", 1, 100, id="mine-1"), "mine-1")

    def test_times_from_datetimes_and_text(self):
        import datetime
        aware = datetime.datetime(2026, 1, 5, 14, 30, tzinfo=datetime.timezone.utc)
        self.assertEqual(twc._wire_time(aware), 1767623400000)
        self.assertEqual(twc._wire_time(aware.replace(tzinfo=None)), 1767623400000)
        self.assertEqual(twc._wire_time("2026-01-05T14:30:00Z"), "2026-01-05T14:30:00Z")


class SpoolTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tw-py-spool-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_file_spool_is_fifo_durable_and_replayed_after_reopen(self):
        spool = twc.FileSpool(self.dir, segment_bytes=64)
        lines = [json.dumps({"id": "e%d" % i, "type": "log"}) for i in range(10)]
        spool.append(lines[:4])
        spool.append(lines[4:])
        self.assertEqual(spool.peek(3, 10 ** 6), lines[:3])
        spool.ack(3)
        self.assertEqual(spool.size(), 7)
        spool.close()
        reopened = twc.FileSpool(self.dir, segment_bytes=64)
        # Acknowledged events of a partly sent segment may come back: the hub drops them by id.
        replay = reopened.peek(100, 10 ** 6)
        self.assertEqual(replay[-7:], lines[3:])
        reopened.ack(len(replay))
        self.assertEqual(reopened.size(), 0)
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".jsonl")], [])

    def test_a_torn_last_line_is_skipped(self):
        with open(os.path.join(self.dir, "spool-000000000001.jsonl"), "w") as fh:
            fh.write('{"id": "a"}\n{"id": "b"}\n{"id": "c')
        spool = twc.FileSpool(self.dir)
        self.assertEqual(spool.peek(10, 10 ** 6), ['{"id": "a"}', '{"id": "b"}'])

    def test_bounded(self):
        spool = twc.FileSpool(self.dir, max_bytes=50)
        self.addCleanup(spool.close)
        spool.append(['{"id": "1"}'])
        with self.assertRaises(twc.SpoolFullError):
            spool.append(["x" * 100])
        memory = twc.MemorySpool(max_bytes=10)
        with self.assertRaises(twc.SpoolFullError):
            memory.append(["x" * 20])


@unittest.skipUnless(URL and TOKEN and ADMIN, "set TRADEWATCH_URL, TRADEWATCH_TOKEN and TRADEWATCH_ADMIN_TOKEN to run against a hub")
class HubTest(unittest.TestCase):
    def client(self, **kw):
        c = twc.TradewatchClient(URL, TOKEN, BOT, flush_interval=0.05, retry_base=0.05, retry_max=0.5,
                                 commands=False, **kw)
        self.addCleanup(c.close, 2)
        return c

    def test_sends_events_and_heartbeats(self):
        errors = []
        c = self.client(account="py-acct", strategy="mean-rev", version="9.9.9", on_error=errors.append)
        ids = [c.fill("PYA", "buy", 2, 10.5, fee=0.01), c.fill("PYA", "sell", 2, 11.0)]
        c.order("o-1", "PYA", "buy", 2, "limit", "filled", limit_price=10.5)
        c.log("warning", "spread wide", {"bps": 12})
        c.start_heartbeat(interval=20, status="running")
        c.set_connection("exchange", "up")
        self.assertTrue(c.flush(timeout=30))
        self.assertEqual(errors, [])
        got = fills("PYA")
        self.assertEqual(sorted(f["id"] for f in got), sorted(ids))
        self.assertEqual({f["account"] for f in got}, {"py-acct"})
        self.assertEqual({f["strategy"] for f in got}, {"mean-rev"})
        status, bot = api("/api/v1/bots/" + BOT)
        self.assertEqual(status, 200)
        self.assertEqual(bot["reported_status"], "running")
        self.assertEqual(bot["version"], "9.9.9")
        self.assertEqual(bot["connections"], {"exchange": "up"})

    def test_the_hub_refusal_is_reported_and_the_rest_delivered(self):
        errors = []
        c = self.client(on_error=errors.append)
        c.fill("PYB", "buy", 1, 5.0, id="py-fixed-1")
        self.assertTrue(c.flush(timeout=30))
        c.fill("PYB", "buy", 1, 5.5, id="py-fixed-1")
        ok = c.fill("PYB", "sell", 1, 6.0)
        self.assertTrue(c.flush(timeout=30))
        rejected = [e for e in errors if isinstance(e, twc.HubRejectedError)]
        self.assertEqual(len(rejected), 1)
        self.assertEqual(rejected[0].status, 409)
        self.assertEqual(sorted(f["id"] for f in fills("PYB")), sorted(["py-fixed-1", ok]))


@unittest.skipUnless(URL and TOKEN and ADMIN and CONTROL, "set TRADEWATCH_TEST_CONTROL_URL to run the outage and command tests")
class OutageAndCommandTest(unittest.TestCase):
    def test_every_fill_arrives_exactly_once_through_a_hub_outage(self):
        states = []
        offline = threading.Event()

        def on_state(state):
            states.append(state)
            if state == "offline":
                offline.set()

        spool_dir = tempfile.mkdtemp(prefix="tw-py-outage-")
        self.addCleanup(shutil.rmtree, spool_dir, True)
        c = twc.TradewatchClient(URL, TOKEN, BOT, spool_dir=spool_dir, flush_interval=0.05,
                                 retry_base=0.1, retry_max=1.0, commands=False, on_state_change=on_state)
        self.addCleanup(c.close, 5)
        ids = [c.fill("PYOUT", "buy" if i % 2 == 0 else "sell", 1 + i, 100 + i) for i in range(5)]
        self.assertTrue(c.flush(timeout=30))

        control("stop")
        # The bot keeps trading while the hub is down.
        for i in range(20):
            ids.append(c.fill("PYOUT", "buy" if i % 2 == 0 else "sell", 1 + i, 200 + i))
            time.sleep(0.1)
        self.assertTrue(offline.wait(30), "the client never noticed the hub was down")
        self.assertEqual(c.pending_count, 20)
        control("start")

        self.assertTrue(c.flush(timeout=60), "spooled fills were not delivered after the restart")
        got = fills("PYOUT")
        self.assertEqual(len(got), 25)
        self.assertEqual(sorted(f["id"] for f in got), sorted(ids))
        self.assertEqual(states[-1], "online")

    def test_halt_from_the_cli_reaches_the_bot_which_acknowledges(self):
        status, _ = api("/api/v1/commands?bot=%s&wait=0" % BOT, token=TOKEN)
        if status == 404:
            self.skipTest("the hub has no /api/v1/commands route yet (404): kill-switch round trip not testable")
        received = []
        halted = threading.Event()
        c = twc.TradewatchClient(URL, TOKEN, BOT, command_wait=5, commands=True, retry_max=1.0)
        self.addCleanup(c.close, 2)
        # A bot the hub has heard from: a halt for "all" reaches the registered bots.
        c.heartbeat()
        self.assertTrue(c.flush(timeout=30))

        @c.on_halt
        def on_halt(command):
            received.append(command)
            halted.set()

        result = control("halt")
        self.assertTrue(halted.wait(60), "the halt command never reached the Python bot (%r)" % result)
        self.assertEqual(received[0]["action"], "halt")
        cid = received[0]["id"]
        self.assertTrue(wait_until(lambda: c._handled.get(cid, {}).get("acked")), "the halt was not acknowledged")
        with open(os.environ.get("TRADEWATCH_TEST_RESULT_FILE", os.devnull), "w") as fh:
            json.dump({"python_acked": cid}, fh)


if __name__ == "__main__":
    unittest.main()
