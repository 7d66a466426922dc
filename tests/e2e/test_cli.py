"""The cloudsketch command: clear errors instead of tracebacks, and admin bootstrap output."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import socket
import subprocess
import sys
import termios

import pytest

from services.common.supervisor import free_port
from tests.helpers.stack import stack_env

CLI = [sys.executable, "-m", "services.cli"]


def run(env, *args, timeout=90, input=None):
    return subprocess.run([*CLI, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout,
                          input=input)


def test_up_names_an_unreachable_broker_without_a_traceback(tmp_path, amqp_uri):
    port = free_port()
    env = {**stack_env(tmp_path, amqp_uri, ""), "CLOUDSKETCH_AMQP_URI": f"amqp://guest:secret@127.0.0.1:{port}/"}
    done = run(env, "up")
    assert done.returncode == 2
    assert f"cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:{port}/" in done.stderr
    assert "secret" not in done.stderr and "Traceback" not in done.stderr


def test_up_names_an_unreachable_database_without_a_traceback(tmp_path, amqp_uri):
    port = free_port()
    env = stack_env(tmp_path, amqp_uri, f"postgresql://cloudsketch:pw@127.0.0.1:{port}/cloudsketch")
    done = run(env, "up")
    assert done.returncode == 2
    assert (f"cannot reach the database at postgresql+psycopg://cloudsketch:***@127.0.0.1:{port}/cloudsketch"
            in done.stderr)
    assert "Traceback" not in done.stderr


def test_a_process_that_cannot_start_is_reported_and_everything_stops(tmp_path, amqp_uri):
    env = stack_env(tmp_path, amqp_uri, "")
    with socket.socket() as blocker:  # the gateway's port is taken
        blocker.bind(("127.0.0.1", int(env["CLOUDSKETCH_GATEWAY_PORT"])))
        blocker.listen()
        done = run(env, "up")
    assert done.returncode == 2
    assert "gateway exited with code" in done.stderr and "last lines of" in done.stderr
    for name in ("diagram-worker", "identity-api", "accounts-api", "diagram-api"):
        assert f"--  {name}" in done.stdout  # started, then stopped again


def test_admin_bootstrap(tmp_path, amqp_uri):
    env = stack_env(tmp_path, amqp_uri, "")
    created = run(env, "admin", "create-user", "--email", "Ops@Example.com", "--name", "Ops", "--role", "owner",
                  "--password-stdin", input="correct horse battery\n")
    assert created.returncode == 0 and created.stdout == "" and "ops@example.com" in created.stderr
    key = run(env, "admin", "create-api-key", "--email", "ops@example.com", "--mode", "r")
    assert key.returncode == 0 and re.fullmatch(r"csk_[A-Za-z0-9_-]{43}\n", key.stdout)
    again = run(env, "admin", "create-user", "--email", "ops@example.com", "--name", "Ops", "--role", "owner")
    assert again.returncode == 1 and "exists" in again.stderr and "Traceback" not in again.stderr
    unknown = run(env, "admin", "create-api-key", "--email", "nobody@example.com", "--mode", "rw")
    assert unknown.returncode == 1 and "no user with email" in unknown.stderr and unknown.stdout == ""
    weak = run(env, "admin", "create-user", "--email", "b@example.com", "--name", "B", "--role", "viewer",
               "--password-stdin", input="short\n")
    assert weak.returncode == 1 and "12 characters" in weak.stderr


def test_a_password_on_the_command_line_is_refused(tmp_path, amqp_uri):
    env = stack_env(tmp_path, amqp_uri, "")
    done = run(env, "admin", "create-user", "--email", "c@example.com", "--name", "C", "--role", "viewer",
               "--password", "correct horse battery")
    assert done.returncode == 2 and "--password-stdin" in done.stderr
    assert "correct horse battery" not in done.stderr
    created = run(env, "admin", "create-user", "--email", "c@example.com", "--name", "C", "--role", "viewer")
    assert created.returncode == 0, created.stderr  # nothing was created by the refused call


def test_admin_asks_for_the_password_on_the_terminal(tmp_path, amqp_uri):
    """--password-prompt reads the controlling terminal (a pseudo-terminal here), twice, unechoed."""
    env = {**os.environ, **stack_env(tmp_path, amqp_uri, "")}
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "admin", "create-user", "--email", "t@example.com", "--name", "T", "--role", "owner",
         "--password-prompt"], env=env, stdin=secondary, stdout=secondary, stderr=secondary,
        start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(secondary)
    screen = ""
    for answer in ("Password: ", "Password again: "):
        while not screen.endswith(answer):
            ready, _, _ = select.select([primary], [], [], 60)
            assert ready, screen
            screen += os.read(primary, 1024).decode()
        os.write(primary, b"correct horse battery\n")
    assert process.wait(timeout=90) == 0
    while select.select([primary], [], [], 1)[0]:
        try:
            chunk = os.read(primary, 1024)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk.decode()
    os.close(primary)
    assert "created owner t@example.com" in screen and "correct horse battery" not in screen


@pytest.mark.parametrize("args", [[], ["bogus"], ["admin"], ["admin", "create-api-key", "--email", "a@b.c",
                                                              "--mode", "admin"]])
def test_usage_errors(args):
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "usage: cloudsketch" in done.stderr
