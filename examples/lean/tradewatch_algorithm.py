"""A LEAN algorithm reporting its order events to Tradewatch.

For LEAN run locally or with the LEAN CLI: copy clients/python/tradewatch_client.py into the
project folder and set TRADEWATCH_URL / TRADEWATCH_TOKEN. On QuantConnect's cloud, where the
algorithm cannot reach your hub directly, use the webhook adapter instead
(POST /api/v1/adapters/lean, see docs/integrations.md).
"""

import os

from AlgorithmImports import *  # noqa: F401,F403  (LEAN's convention)

from tradewatch_client import TradewatchClient

# LEAN's OrderStatus → Tradewatch order status.
STATUS = {
    OrderStatus.NEW: "new",
    OrderStatus.SUBMITTED: "submitted",
    OrderStatus.PARTIALLY_FILLED: "partially_filled",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "cancelled",
    OrderStatus.INVALID: "rejected",
    OrderStatus.CANCEL_PENDING: "accepted",
    OrderStatus.UPDATE_SUBMITTED: "accepted",
}
ORDER_TYPE = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP_MARKET: "stop",
    OrderType.STOP_LIMIT: "stop_limit",
    OrderType.TRAILING_STOP: "trailing_stop",
}


class TradewatchAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2024, 1, 2)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.tw = TradewatchClient(
            os.environ.get("TRADEWATCH_URL", "http://127.0.0.1:8080"),
            token=os.environ["TRADEWATCH_TOKEN"],
            bot=os.environ.get("TRADEWATCH_BOT", "lean-spy"),
            strategy="spy-demo",
            spool_dir="tradewatch-spool",
        )
        self.halted = False
        self.tw.on_halt(lambda command: setattr(self, "halted", True))
        self.tw.on_flatten(lambda command: self.liquidate())
        self.tw.start_heartbeat(interval=60, status=lambda: "halted" if self.halted else "running")

    def on_data(self, data):
        if not self.halted and not self.portfolio.invested:
            self.set_holdings(self.spy, 0.5)

    def on_order_event(self, order_event):
        order = self.transactions.get_order_by_id(order_event.order_id)
        side = "buy" if order_event.direction == OrderDirection.BUY else "sell"
        ts = order_event.utc_time  # a UTC datetime
        event_id = "lean-%s-%s-%s" % (self.algorithm_id, order_event.order_id, order_event.id)
        status = STATUS.get(order_event.status)
        if status and order is not None:
            self.tw.order(
                order_event.order_id, order_event.symbol.value, side, abs(order.quantity),
                ORDER_TYPE.get(order.type, "market"), status,
                id=event_id + "-o", ts=ts,
                limit_price=getattr(order, "limit_price", None) or None,
                stop_price=getattr(order, "stop_price", None) or None,
                reason=order_event.message or None,
            )
        if order_event.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED) and order_event.fill_quantity:
            fee = order_event.order_fee.value
            self.tw.fill(
                symbol=order_event.symbol.value,
                side=side,
                qty=abs(order_event.fill_quantity),
                price=order_event.fill_price,
                fee=abs(fee.amount),
                fee_currency=fee.currency or None,
                order_id=str(order_event.order_id),
                id=event_id,
                ts=ts,
            )

    def on_end_of_algorithm(self):
        self.tw.close()
