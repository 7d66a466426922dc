"""cloudsketch's services.

grpcio's fork handlers are turned off for every process that imports this package, before grpcio
is loaded: cloudsketch never uses gRPC across a fork (the supervisor, `cloudsketch up` and the tests
fork only to exec a process), and with them on, a child forked while the parent's gRPC threads were
idle restarted grpcio's poller between fork and exec and could abort ("epoll_wait error: Bad file
descriptor", exit code -6) before it even started: the flaky start failures seen in the test suite.
"""
import os

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
