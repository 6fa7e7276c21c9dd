"""A small SMTP server for tests: the real protocol over a real socket, messages kept in memory.

aiosmtpd is not among the project's packages and the standard library's smtpd is deprecated,
so this implements the part of RFC 5321 a client needs to hand over a message (EHLO/HELO,
MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), without TLS or AUTH. Mail sent to it
by the SMTP provider arrives as the bytes smtplib wrote, and tests parse it with `email`.
"""

from __future__ import annotations

import email
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data)

    def text(self) -> str:
        """Every text part, decoded (the SMTP provider sends HTML, maybe base64-encoded)."""
        parts = []
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                payload = part.get_payload(decode=True) or b""
                parts.append(payload.decode(part.get_content_charset() or "utf-8"))
        return "\n".join(parts)


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, received: Received) -> None:
        with self.arrived:
            self.messages.append(received)
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


class _Session(socketserver.StreamRequestHandler):
    server: SmtpServer

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self._reply("220 localhost test SMTP server ready")
        mail_from, rcpt_to = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("ascii", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            argument = line[len(verb) :].strip()
            if verb == "EHLO":
                self._reply("250-localhost")
                self._reply("250-8BITMIME")
                self._reply("250 SIZE 10485760")
            elif verb == "HELO":
                self._reply("250 localhost")
            elif verb == "MAIL" and argument.upper().startswith("FROM:"):
                mail_from, rcpt_to = _address(argument[5:]), []
                self._reply("250 OK")
            elif verb == "RCPT" and argument.upper().startswith("TO:"):
                if mail_from is None:
                    self._reply("503 need MAIL before RCPT")
                    continue
                rcpt_to.append(_address(argument[3:]))
                self._reply("250 OK")
            elif verb == "DATA":
                if not rcpt_to:
                    self._reply("503 need RCPT before DATA")
                    continue
                self._reply("354 end data with <CR><LF>.<CR><LF>")
                self.server.mailbox.add(Received(mail_from or "", rcpt_to, self._read_data()))
                mail_from, rcpt_to = None, []
                self._reply("250 OK: queued")
            elif verb == "RSET":
                mail_from, rcpt_to = None, []
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply(f"502 {verb} not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while True:
            raw = self.rfile.readline()
            if raw in (b".\r\n", b".\n", b""):
                return b"".join(lines)
            # RFC 5321 4.5.2: a leading dot was doubled by the client.
            lines.append(raw[1:] if raw.startswith(b"..") else raw)


def _address(text: str) -> str:
    text = text.strip()
    if text.startswith("<"):
        text = text[1 : text.index(">")]
    return text.split(" ", 1)[0]


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.mailbox = Mailbox()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
