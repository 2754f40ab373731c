"""E-mail transports: SMTP (one connection reused across a batch) or .eml files in a directory."""

from __future__ import annotations

import asyncio
import os
import re
from email import policy
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from cap_notifications.config import Settings
from cap_shared import telemetry
from cap_shared.instrumentation import smtp_span


class TransportError(Exception):
    """The message was not taken. ``unreachable``: nothing can be sent now (server down,
    authentication refused, mail directory not writable): the rest of the batch waits too."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class MailTransport(Protocol):
    """Hands a message to the mail system; raises :class:`TransportError` if it is not taken."""

    async def send(self, message: MimeMessage, *, sender: str, recipient: str) -> None:
        """Hand over one message, or raise :class:`TransportError`."""
        ...

    async def close(self) -> None:
        """Release what the transport holds (a connection)."""
        ...


class SmtpTransport:
    """SMTP with ``aiosmtplib``, one connection reused across a batch (reopened after an error)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            use_tls=s.smtp_tls,
            start_tls=s.smtp_starttls and not s.smtp_tls,
            timeout=s.smtp_timeout_s,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as exc:
            client.close()
            msg = f"serveur SMTP {self._where} : connexion refusée ({exc.code} {exc.message})"
            raise TransportError(msg, unreachable=True) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            client.close()
            msg = f"serveur SMTP {self._where} injoignable : {type(exc).__name__}: {exc}"
            raise TransportError(msg, unreachable=True) from exc
        self._client = client
        return client

    async def send(self, message: MimeMessage, *, sender: str, recipient: str) -> None:
        """Send one message on the batch's connection (reopened if it was closed)."""
        if telemetry.enabled():
            async with smtp_span(self.settings.smtp_host, self.settings.smtp_port):
                await self._send(message, sender=sender, recipient=recipient)
        else:
            await self._send(message, sender=sender, recipient=recipient)

    async def _send(self, message: MimeMessage, *, sender: str, recipient: str) -> None:
        client = await self._connected()
        try:
            await client.send_message(message, sender=sender, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self.close()
            refused = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            msg = f"destinataire refusé par le serveur SMTP {self._where} : {refused}"
            raise TransportError(msg) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            msg = f"message refusé par le serveur SMTP {self._where} : {exc.code} {exc.message}"
            raise TransportError(msg) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            msg = f"échange interrompu avec le serveur SMTP {self._where} : {type(exc).__name__}: {exc}"
            raise TransportError(msg, unreachable=True) from exc

    async def close(self) -> None:
        """Quit the SMTP session, if one is open."""
        client, self._client = self._client, None
        if client is None:
            return
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
        else:
            client.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


class FileTransport:
    """Writes each message as ``<Message-ID>.eml`` under a directory (the standalone platform's
    default: no mail server needed). Sending a message again rewrites the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, message: MimeMessage) -> Path:
        """The file a message is written to (named by its Message-ID)."""
        stem = _UNSAFE.sub("_", str(message["Message-ID"]).strip("<>")) or "message"
        return self.directory / f"{stem}.eml"

    def _write(self, message: MimeMessage) -> None:
        path = self.path_of(message)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes(policy=policy.default))
        os.replace(partial, path)

    async def send(self, message: MimeMessage, *, sender: str, recipient: str) -> None:
        """Write the message's file (replacing it if it is sent again)."""
        del sender, recipient  # the headers name them
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:
            msg = f"écriture impossible dans {self.directory} : {exc}"
            raise TransportError(msg, unreachable=True) from exc

    async def close(self) -> None:
        """Nothing to release."""
        return None


def make_transport(settings: Settings) -> MailTransport:
    """The transport the settings choose."""
    if settings.mail_transport == "file":
        return FileTransport(Path(settings.mail_dir))
    return SmtpTransport(settings)
