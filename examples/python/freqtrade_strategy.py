"""A Freqtrade strategy that reports to Tradewatch through strategy callbacks.

The webhook config block (examples/freqtrade/webhook-config.json) needs no code at all; use this
instead when you want every individual order fill with its exchange order id and fee, DCA
entries, partial exits and the kill switch inside the strategy.

Put clients/python/tradewatch_client.py in user_data/strategies/ (next to this file) and set
TRADEWATCH_URL / TRADEWATCH_TOKEN in the bot's environment.
"""

import os
from datetime import datetime

from freqtrade.persistence import Order, Trade
from freqtrade.strategy import IStrategy
from pandas import DataFrame

from tradewatch_client import TradewatchClient


class TradewatchSampleStrategy(IStrategy):
    INTERFACE_VERSION = 3
    timeframe = "5m"
    minimal_roi = {"0": 0.02}
    stoploss = -0.05
    can_short = False

    def bot_start(self, **kwargs) -> None:
        self.tw = TradewatchClient(
            os.environ.get("TRADEWATCH_URL", "http://127.0.0.1:8080"),
            token=os.environ["TRADEWATCH_TOKEN"],
            bot=os.environ.get("TRADEWATCH_BOT", "freqtrade-1"),
            strategy=self.__class__.__name__,
            spool_dir=os.path.join(self.config["user_data_dir"], "tradewatch-spool"),
        )
        self.tw_halted = False
        self.tw.on_halt(self._on_halt)
        self.tw.on_resume(self._on_resume)
        self.tw.start_heartbeat(interval=30, status=lambda: "halted" if self.tw_halted else "running")

    def _on_halt(self, command):
        # Acknowledged when this returns: no new entries from now on (open trades keep their exits).
        self.tw_halted = True

    def _on_resume(self, command):
        self.tw_halted = False

    def confirm_trade_entry(self, pair, order_type, amount, rate, time_in_force, current_time,
                            entry_tag, side, **kwargs) -> bool:
        return not self.tw_halted

    def order_filled(self, pair: str, trade: Trade, order: Order, current_time: datetime, **kwargs) -> None:
        """Called by Freqtrade for every filled order (entries, DCA, partial and full exits)."""
        fee = getattr(order, "ft_fee_base", None) or 0.0
        self.tw.fill(
            symbol=pair,
            side=order.ft_order_side,            # "buy" / "sell"
            qty=order.safe_filled,
            price=order.safe_price,
            fee=abs(fee),
            fee_currency=trade.safe_base_currency if fee else None,
            order_id=order.order_id,
            id="ft-%s-%s" % (trade.id, order.order_id),  # stable: a replay counts once
            ts=order.order_filled_utc or current_time,
            tags=["freqtrade:trade:%s" % trade.id],
        )

    def bot_loop_start(self, current_time: datetime, **kwargs) -> None:
        self.tw.set_connection("exchange", "up")

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe["sma"] = dataframe["close"].rolling(20).mean()
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe.loc[dataframe["close"] > dataframe["sma"], "enter_long"] = 1
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe.loc[dataframe["close"] < dataframe["sma"], "exit_long"] = 1
        return dataframe
