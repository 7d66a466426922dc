"""The status poller as a nameko dependency of collector-worker: one poller (and its in-memory
view of every polled account) per process, started and stopped with the worker."""
from __future__ import annotations

from collections.abc import Callable

from nameko.extensions import DependencyProvider

from services.collector.status.poller import StatusPoller
from services.common import config
from services.common.database import open_database


class LiveStatus(DependencyProvider):
    def __init__(self, lookup_account: Callable, holder: str):
        self.lookup_account = lookup_account
        self.holder = holder

    def setup(self):
        self.engine = open_database(self.container.service_name)
        self.poller = StatusPoller(self.engine, self.lookup_account, self.holder,
                                   config.live_status_interval_seconds())

    def stop(self):
        self.poller.stop()   # lets every lease go, so another replica takes over at once
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.poller
