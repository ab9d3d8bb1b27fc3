"""Fixtures: every test is bounded in time; a loop fixture that cleans up."""

import faulthandler
import gc

import pytest

import ruv
from helpers import run_until

TEST_TIMEOUT = 60        # hard cap per test: dump tracebacks and exit


@pytest.fixture(autouse=True)
def _watchdog():
    # Works even while the thread is blocked inside C (epoll_wait).
    faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def loop():
    lp = ruv.Loop()
    yield lp
    # Close whatever a test left open so the C loop can be freed.
    for h in lp.handles:
        if not h.closed:
            h.close()
    run_until(lp, lambda: not lp.handles, timeout=5)
    gc.collect()


