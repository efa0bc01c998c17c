"""The coach's keys: public keys a report is sealed for, and the secret key that opens it.

Nothing here repeats a secret key in a message, logs or prints it.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pyrage

Recipient = pyrage.x25519.Recipient | pyrage.ssh.Recipient
"""A key a report can be sealed for: an age X25519 public key or an SSH public key."""
Identity = pyrage.x25519.Identity | pyrage.ssh.Identity

_MAX_KEY_FILE_BYTES = 1024 * 1024
_SSH_TYPES = ("ssh-ed25519", "ssh-rsa")
_SSH_STARTS = ("ssh-", "sk-ssh-", "ecdsa-", "sk-ecdsa-")
_KEY_STARTS = ("age1", "AGE-", "-----", *_SSH_STARTS)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class SealError(ValueError):
    """A report could not be sealed or unsealed; the message says why and what to do.

    Messages never contain a secret key or any of the report's contents.
    """


# --- the coach's public keys ------------------------------------------------------------------


def parse_recipients(recipients: str | os.PathLike[str]) -> list[Recipient]:
    """The coach's public key(s), from a key or from a recipients file.

    Parameters
    ----------
    recipients
        An age public key (``age1…``), an SSH public key line (``ssh-ed25519 …`` or
        ``ssh-rsa …``, as in the coach's ``.pub`` file), or the path of a recipients
        file: one key a line, blank lines and ``#`` comments ignored (like age's ``-R``).
        A :class:`~pathlib.Path` is always read as a file.

    Returns one recipient per key: the report opens with the secret key of any of them.
    Anything else raises :class:`SealError` naming every line that is wrong; a secret key
    given by mistake is never repeated in the message.
    """
    if isinstance(recipients, os.PathLike):
        return _recipients_file(Path(recipients))
    text = recipients.strip()
    if "\n" in text and not _secret_problem(text):
        return _recipient_lines(text, "The recipients given")
    if text.startswith(_KEY_STARTS) or _secret_problem(text):
        try:
            return [_recipient(text)]
        except SealError as error:
            raise SealError(f"The key given cannot seal a report: {error}") from None
    if text and Path(text).expanduser().is_file():
        return _recipients_file(Path(text).expanduser())
    shown = f"`{text}`" if len(text) <= 80 else f"The text given ({len(text)} characters)"
    problem = f"{shown} is not a coach's public key, and no file has that name"
    raise SealError(
        f"{problem if text else 'No coach key was given'}. Expected an age "
        "public key (age1…, 62 characters, as `age-keygen` prints after 'Public key:'), an "
        "SSH public key line (ssh-ed25519 … or ssh-rsa …, from the coach's .pub file), or the "
        "path of a file listing such keys, one a line."
    )


def _recipients_file(path: Path) -> list[Recipient]:
    return _recipient_lines(_read_key_file(path, "recipients file"), f"The recipients file {path}")


def _recipient_lines(text: str, source: str) -> list[Recipient]:
    """Every key in ``text`` (one a line, ``#`` comments and blank lines skipped)."""
    found: list[Recipient] = []
    problems: list[str] = []
    for number, line in _key_lines(text):
        try:
            found.append(_recipient(line))
        except SealError as error:
            problems.append(f"line {number}: {error}")
    if problems:
        count = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise _listing(f"{source} has {count}:", problems)
    if not found:
        raise SealError(
            f"{source} lists no keys (only blank lines and # comments). Add the coach's "
            "public key (age1… or ssh-ed25519 …), one a line."
        )
    return found


def _recipient(text: str) -> Recipient:
    """One public key; a :class:`SealError` that never repeats a secret."""
    problem = _secret_problem(text)
    if problem:
        raise SealError(problem)
    if text.startswith("age1"):
        try:
            return pyrage.x25519.Recipient.from_str(text)
        except pyrage.RecipientError:
            raise SealError(
                f"`{text}` is not a valid age public key ({len(text)} characters; a public key "
                "has 62). Check that it was copied whole and without typos."
            ) from None
    kind, _, rest = text.partition(" ")
    if kind.startswith(_SSH_STARTS):
        if kind not in _SSH_TYPES:
            raise SealError(
                f"the SSH key is of type {kind}; age can seal only for ssh-ed25519 and ssh-rsa "
                "keys. Ask the coach for one of those, or for an age public key (age1…)."
            )
        try:
            return pyrage.ssh.Recipient.from_str(text)
        except pyrage.RecipientError:
            raise SealError(
                f"`{kind} {rest.strip()[:12]}…` is not a valid SSH public key. Copy the whole "
                f"line from the coach's .pub file: {kind}, a space, then a long run of letters."
            ) from None
    raise SealError(
        "this is not a public key: expected an age public key (age1…) or an SSH public key "
        "line (ssh-ed25519 … or ssh-rsa …)."
    )


def _secret_problem(text: str) -> str | None:
    """What is wrong if ``text`` holds a secret key, in words that do not repeat it."""
    if "AGE-SECRET-KEY-" in text.upper():
        return (
            "this is the coach's *secret* key (AGE-SECRET-KEY-…), which must stay with the "
            "coach. Sealing needs their *public* key, which starts with age1 (the coach sees "
            "it with `age-keygen -y` on their key file). The secret key is not repeated here."
        )
    if "PRIVATE KEY-----" in text.upper():
        return (
            "this is an SSH *private* key, which must stay with the coach. Sealing needs "
            "their *public* key: the one line in the matching .pub file (ssh-ed25519 …)."
        )
    return None


def read_identities(path: Path) -> list[Identity]:
    """The secret keys in an identity file; messages name lines, never their contents."""
    text = _read_key_file(path, "identity file")
    if "-----BEGIN" in text and "PRIVATE KEY-----" in text:
        try:
            return [pyrage.ssh.Identity.from_buffer(text.encode())]
        except pyrage.IdentityError as error:
            why = (
                "it is protected by a passphrase, which trustlab cannot ask for"
                if "decrypted" in str(error)
                else "age opens only ssh-ed25519 and ssh-rsa keys in OpenSSH format"
            )
            raise SealError(
                f"The SSH key {path} cannot be used: {why}. An age identity file (from "
                "new_identity or age-keygen) works, with reports sealed for its public key."
            ) from None
    identities: list[Identity] = []
    problems: list[str] = []
    for number, line in _key_lines(text):
        if line.startswith(("age1", *_SSH_TYPES)):
            problems.append(
                f"line {number} is a public key; unsealing needs the secret key that goes "
                "with it (AGE-SECRET-KEY-1…)"
            )
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            problems.append(
                f"line {number} is not an age secret key (AGE-SECRET-KEY-1…, 74 characters); "
                "it may be cut short or mistyped"
            )
    if problems:
        raise _listing(f"The identity file {path} cannot be used:", problems)
    if not identities:
        raise SealError(f"The identity file {path} holds no key (only blank lines and comments).")
    return identities


# --- the coach's key --------------------------------------------------------------------------


def new_identity(path: Path) -> str:
    """Write a new age identity (secret key) for a coach to ``path``; return its public key.

    The file is created new (never overwritten) with mode 0o600 and the comment
    lines ``age-keygen`` writes. The public key (``age1…``) is what the person
    seals reports for; the file itself stays with the coach.
    """
    path = Path(path)
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    created = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
    except FileExistsError:
        raise SealError(
            f"{path} already exists and was left as it is: replacing a key file would lock "
            "its owner out of every report sealed for it. Choose another file name."
        ) from None
    except OSError as error:
        raise SealError(f"The key file {path} could not be created ({error.strerror}).") from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(text.encode("ascii"))
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return public


# --- shared -------------------------------------------------------------------------------


def _read_key_file(path: Path, what: str) -> str:
    """The text of a small key file, with a clear message if it cannot be read."""
    try:
        if path.stat().st_size > _MAX_KEY_FILE_BYTES:
            raise SealError(f"The {what} {path} is larger than a key file (a few lines) can be.")
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SealError(f"The {what} {path} is not a text file of keys.") from None
    except OSError as error:
        raise SealError(f"The {what} {path} cannot be read ({error.strerror}).") from None


def _key_lines(text: str) -> list[tuple[int, str]]:
    """The numbered lines of a key file that are not blank or ``#`` comments."""
    lines = ((number, line.strip()) for number, line in enumerate(text.splitlines(), start=1))
    return [(number, line) for number, line in lines if line and not line.startswith("#")]


def _listing(heading: str, problems: list[str], ending: str = "") -> SealError:
    """One error listing every problem, indented under ``heading``."""
    lines = [heading, *(f"  {problem}" for problem in problems)]
    return SealError("\n".join([*lines, ending] if ending else lines))
