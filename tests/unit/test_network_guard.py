"""The suite itself cannot reach the network: outside calls fail fast instead of hanging or leaking."""

import socket

import httpx
import pytest


def test_outside_addresses_are_refused():
    with pytest.raises(ConnectionRefusedError, match="network"), socket.socket() as sock:
        sock.connect(("93.184.216.34", 443))


def test_http_clients_cannot_leave_the_machine():
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://93.184.216.34/", timeout=2)
