"""Time travel for tests: every deadline of the portal is a Qinzhou (Asia/Shanghai) wall-clock date.

Tests take the `at` fixture (tests/conftest.py); this module is for the few module-level helpers
that travel outside a fixture, and for assertions that spell out a local time (SHANGHAI).
"""
import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    """Stand still at this local time in Qinzhou: `with at(2024, 10, 14, 9):` or `@at(2024, 10, 14)`."""
    return time_machine.travel(dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI), tick=False)
