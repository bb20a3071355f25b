"""A plain Python bot reporting to Tradewatch.

    export TRADEWATCH_URL=http://127.0.0.1:8080
    export TRADEWATCH_TOKEN=tw_...        # tradewatch token create --name py --scope ingest --bot py-demo
    PYTHONPATH=clients/python python3 examples/python/plain_bot.py
"""

import os
import random
import signal
import sys
import threading
import time

from tradewatch_client import TradewatchClient

tw = TradewatchClient(
    os.environ.get("TRADEWATCH_URL", "http://127.0.0.1:8080"),
    token=os.environ["TRADEWATCH_TOKEN"],
    bot=os.environ.get("TRADEWATCH_BOT", "py-demo"),
    account="paper",
    strategy="demo-mean-reversion",
    version="1.0.0",
    spool_dir="./tradewatch-spool",  # fills survive hub restarts and bot restarts
    on_error=lambda e: print("tradewatch:", e, file=sys.stderr),
)

halted = threading.Event()
stopping = threading.Event()


@tw.on_halt
def on_halt(command):
    halted.set()  # acknowledged when this returns
    print("halted by the hub:", command.get("reason"))


@tw.on_resume
def on_resume(command):
    halted.clear()


tw.start_heartbeat(interval=15, status=lambda: "halted" if halted.is_set() else "running")
tw.set_connection("exchange", "up")
signal.signal(signal.SIGINT, lambda *_: stopping.set())

price = 100.0
i = 0
while not stopping.is_set():
    if not halted.is_set():
        price = round(price + random.uniform(-0.5, 0.5), 2)
        side = "buy" if i % 2 == 0 else "sell"
        order_id = "o-%d" % int(time.time() * 1000)
        tw.order(order_id, "DEMO", side, 10, "market", "filled")
        tw.fill("DEMO", side, 10, price, fee=0.05, order_id=order_id)
        tw.mark("DEMO", price)
        i += 1
    stopping.wait(1.0)

tw.close()
