"""A TCP proxy that can cut every connection through it and refuse new ones for a while, or partition
them: how the tests restart "the broker" (or lose the network to it) for the processes behind it
without touching the RabbitMQ that the rest of the test session shares.

A cut is a restart: every connection is closed at once and new ones are refused, so a process
notices immediately. A partition is a network path that stops carrying packets: no FIN or RST
crosses it, so a process notices only through its own timeouts (AMQP heartbeats, a publish's
confirm timeout). While partitioned the proxy
- stops reading from both sides of every connection: the bytes stay in the kernels' buffers, as
  unacknowledged segments would, and a peer that writes enough blocks on its write;
- does not pass a close on: a side that gives up (the broker after missed heartbeats, a process
  that stopped waiting) is not seen by the other;
- accepts new connections but answers nothing and does not dial the upstream: the process's
  AMQP handshake times out. This is how a dropped path looks from the process (a connect that
  hangs until its timeout); refusing them would be a restart's fast failure instead.
`heal()` resets every connection that lived through the partition, as the broker has dropped
its side of them after missed heartbeats, and forwards again: processes must reconnect.
"""
from __future__ import annotations

import socket
import struct
import threading
import time


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._refuse_until = 0.0
        self._forwarding = threading.Event()
        self._forwarding.set()
        self._closed = False

    def __enter__(self) -> TcpProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._closed = True
        self.listener.close()
        self._close_all()
        self._forwarding.set()   # releases pumps held by a partition

    def cut(self, seconds: float) -> None:
        """Drop every connection now and refuse new ones for `seconds`, like a broker restart."""
        self._refuse_until = time.monotonic() + seconds
        self._close_all()

    def restore(self) -> None:
        """Accept new connections again (the broker is back)."""
        self._refuse_until = 0.0

    def partition(self) -> None:
        """Stop carrying bytes and closes, both ways, on every connection (see the module's docstring)."""
        self._forwarding.clear()

    def heal(self) -> None:
        """End the partition: reset every connection that lived through it, then forward again."""
        self._close_all(reset=True)
        self._forwarding.set()

    def _close_all(self, reset: bool = False) -> None:
        with self._lock:
            for sock in self._sockets:
                try:
                    if reset:   # RST rather than FIN: the other end has long forgotten the connection
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.shutdown(socket.SHUT_RDWR)   # wakes the pump blocked in recv on it
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if time.monotonic() < self._refuse_until:
                client.close()
                continue
            if not self._forwarding.is_set():
                with self._lock:   # accepted and silent until heal() resets it
                    self._sockets.add(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self._forwarding.is_set():
                    break   # the partition swallows it, and this pump reads no more until heal()
                target.sendall(data)
        except OSError:
            pass
        finally:
            # During a partition neither these bytes nor a close cross it: hold until heal(),
            # which resets both sockets.
            self._forwarding.wait()
            for sock in (source, target):
                try:
                    sock.close()
                except OSError:
                    pass
