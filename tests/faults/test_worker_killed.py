"""A worker killed mid-handling (SIGKILL: no goodbye to the broker), against a real worker process
and the real RabbitMQ: the event it had not acknowledged is delivered again to its successor and
handled to the end once; the events queued behind it too."""
from __future__ import annotations

import os
import signal

import pytest
from kombu import Connection

from services.common.events import EventPublisher
from services.common.supervisor import Supervisor, free_port, isolated_env
from tests.helpers.stack import faulty_worker, journal_of, wait_for

pytestmark = pytest.mark.slow


def test_an_event_whose_worker_is_killed_mid_handling_is_redelivered_and_handled_once(tmp_path, fresh_amqp_uri,
                                                                                       monkeypatch):
    for key, value in isolated_env(tmp_path, fresh_amqp_uri, "").items():
        monkeypatch.setenv(key, value)
    journal, port = tmp_path / "journal.db", free_port()
    supervisor = Supervisor(tmp_path / "logs", out=open(os.devnull, "w"))
    try:
        supervisor.start_group([faulty_worker(port, journal)])
        publisher = EventPublisher("faults", fresh_amqp_uri)
        release = tmp_path / "release"
        publisher.publish_payload("job", {"id": "long", "until": str(release)})
        wait_for(lambda: journal_of(journal, "started") == ["long"], timeout=30, what="the long job to start")
        for index in range(3):
            publisher.publish_payload("job", {"id": f"after-{index}"})
        victim = supervisor.children.pop()
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        assert "long" not in journal_of(journal, "finished")

        supervisor.start_group([faulty_worker(port, journal)])
        wait_for(lambda: journal_of(journal, "started").count("long") == 2, timeout=30,
                 what="the long job to be delivered again")
        release.touch()
        wait_for(lambda: len(journal_of(journal, "finished")) == 4, timeout=90, interval=0.2,
                 what="every job to finish")
        assert journal_of(journal, "started").count("long") == 2       # delivered again (once) ...
        assert sorted(journal_of(journal, "finished")) == ["after-0", "after-1", "after-2", "long"]   # ... done once
        with Connection(fresh_amqp_uri) as conn:
            assert conn.default_channel.queue_declare("evt-faults-job--faulty.on_job", passive=True).message_count == 0
    finally:
        supervisor.stop_all()
