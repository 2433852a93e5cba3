"""Runs a module's unittest tests in parallel threads, around one shared setup.

A module opts in with the load_tests protocol:

    def load_tests(loader, tests, pattern):
        return ParallelSuite(tests, setup=start_server, teardown=stop_server, workers=4)

Each test runs on a pool thread with a result of its own; once it has finished, what it
recorded is replayed into the runner's result under a lock, so the runner prints each
test whole (its name, then its outcome) in the order the tests finish. Class and
module fixtures (setUpClass, setUpModule) are not run: `setup` and `teardown` take
their place. A setup that raises makes every test an error carrying that exception.
"""

from __future__ import annotations

import sys
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator, List, Optional, Tuple


def _flatten(suite: Iterable[Any]) -> Iterator[unittest.TestCase]:
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


class _Recorder(unittest.TestResult):
    """Records the calls TestCase.run makes, to replay them into the real result."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: List[Tuple[str, Tuple[Any, ...]]] = []

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def startTest(self, test: Any) -> None:
        self._record("startTest", test)

    def stopTest(self, test: Any) -> None:
        self._record("stopTest", test)

    def addSuccess(self, test: Any) -> None:
        self._record("addSuccess", test)

    def addError(self, test: Any, err: Any) -> None:
        self._record("addError", test, err)

    def addFailure(self, test: Any, err: Any) -> None:
        self._record("addFailure", test, err)

    def addSkip(self, test: Any, reason: str) -> None:
        self._record("addSkip", test, reason)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        self._record("addExpectedFailure", test, err)

    def addUnexpectedSuccess(self, test: Any) -> None:
        self._record("addUnexpectedSuccess", test)

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        self._record("addSubTest", test, subtest, err)

    def addDuration(self, test: Any, elapsed: float) -> None:  # Python 3.12+
        self._record("addDuration", test, elapsed)


class ParallelSuite(unittest.TestSuite):
    def __init__(self, tests: Iterable[Any], setup: Optional[Callable[[], None]] = None,
                 teardown: Optional[Callable[[], None]] = None, workers: int = 4) -> None:
        super().__init__(list(_flatten(tests)))
        self._setup = setup
        self._teardown = teardown
        self._workers = workers

    def run(self, result: unittest.TestResult, debug: bool = False) -> unittest.TestResult:
        tests = list(_flatten(self))
        if not tests:
            return result
        lock = threading.Lock()

        def replay(calls: List[Tuple[str, Tuple[Any, ...]]]) -> None:
            with lock:
                for name, args in calls:
                    method = getattr(result, name, None)
                    if method is not None:
                        method(*args)

        if self._setup is not None:
            try:
                self._setup()
            except Exception:
                err = sys.exc_info()
                for test in tests:
                    replay([("startTest", (test,)), ("addError", (test, err)), ("stopTest", (test,))])
                return result

        def one(test: unittest.TestCase) -> None:
            recorder = _Recorder()
            test(recorder)
            replay(recorder.calls)

        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            for future in [pool.submit(one, t) for t in tests]:
                future.result()
        if self._teardown is not None:
            try:
                self._teardown()
            except Exception:
                # As unittest reports a failed tearDownModule: on a stand-in test.
                holder = unittest.suite._ErrorHolder(  # type: ignore[attr-defined]
                    "teardown (%s)" % type(tests[0]).__module__)
                with lock:
                    result.addError(holder, sys.exc_info())
        return result
