"""A real SMTP server (aiosmtpd) on a port of its own, which a test starts and stops."""

import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the server accepted, in order; ``refuse`` answers every message with that reply,
    ``hold`` keeps the n-th message waiting (its sender hanging) until ``release``."""

    def __init__(self):
        self.messages = []
        self.refuse: str | None = None
        self.delay = 0.0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.released = threading.Event()
        self.seen = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope):
        with self.lock:
            self.seen += 1
            number = self.seen
        if self.refuse:
            return self.refuse
        if number == self.hold_at:
            self.holding.set()
            # The sender is killed meanwhile: whatever this answers, it never reads it.
            while not self.released.is_set():
                time.sleep(0.05)
            return "451 Try again later"
        if self.delay:
            time.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """The app mails through SMTP to a server that is down until ``smtp.start()``."""
    server = SmtpServer()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False
    )
    yield server
    server.mailbox.released.set()
    server.stop()
