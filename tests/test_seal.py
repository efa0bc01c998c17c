"""A report sealed for one coach with age: round trips, wrong keys, and unsafe contents."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pyrage
import pytest

from trustlab.report import seal as seal_module
from trustlab.report.seal import SealError, new_identity, parse_recipients, seal, unseal

# A public key only (its secret half was thrown away): safe to keep in a test.
SSH_ED25519 = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJkeI0Dsy9TljMk+CvO/6qiHBFYJO11sX3nKXXVRdEXl trustlab-test"
)
REPORT = {
    "index.html": b"<h1>For my coach</h1>\n",
    "csv/x.csv": b"date,person,marbles\n2024-03-01,Sam,1\n",
    "csv/deeper/notes.txt": "caf\u00e9 \u2014 warm\n".encode(),
}


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A small report folder with a nested ``csv/x.csv``."""
    folder = tmp_path / "report"
    for name, data in REPORT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def coach(tmp_path: Path) -> tuple[Path, str]:
    """The coach's identity file and its public key."""
    key = tmp_path / "coach" / "key.txt"
    key.parent.mkdir()
    return key, new_identity(key)


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sealed_tar(tmp_path: Path, public: str, add) -> Path:
    """A file sealed for ``public`` holding a tar that ``add(tar)`` fills by hand."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add(tar)
    path = tmp_path / "crafted.age"
    path.write_bytes(pyrage.encrypt(buffer.getvalue(), [parse_recipients(public)[0]]))
    return path


def add_file(tar: tarfile.TarFile, name: str, data: bytes = b"x") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def assert_nothing_unpacked(into: Path) -> None:
    assert not into.exists()
    assert [p.name for p in into.parent.iterdir() if p.name.startswith(f".{into.name}.")] == []


# --- round trip -------------------------------------------------------------------------------


def test_round_trip_gives_the_same_bytes_in_a_private_folder(report, coach, tmp_path):
    key, public = coach
    sealed = seal(report, public, tmp_path / "report.age")

    assert sealed == tmp_path / "report.age"
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    data = sealed.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert b"For my coach" not in data and b"Sam" not in data
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    into = unseal(sealed, key, tmp_path / "opened")
    assert into == tmp_path / "opened"
    assert files_in(into) == REPORT
    assert stat.S_IMODE(into.stat().st_mode) == 0o700
    assert stat.S_IMODE((into / "csv").stat().st_mode) == 0o700
    assert stat.S_IMODE((into / "csv" / "x.csv").stat().st_mode) == 0o600


def test_the_packed_report_is_ordered_private_and_ownerless(report, coach, tmp_path):
    key, public = coach
    (report / "index.html").chmod(0o644)
    sealed = seal(report, [parse_recipients(public)[0]], tmp_path / "report.age")
    identity = pyrage.x25519.Identity.from_str(key.read_text().splitlines()[-1])

    plain = pyrage.decrypt(sealed.read_bytes(), [identity])
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [
        "csv",
        "csv/deeper",
        "csv/deeper/notes.txt",
        "csv/x.csv",
        "index.html",
    ]
    assert {(m.name, m.mode) for m in members if m.isreg()} == {
        ("csv/deeper/notes.txt", 0o600),
        ("csv/x.csv", 0o600),
        ("index.html", 0o600),
    }
    assert {m.mode for m in members if m.isdir()} == {0o700}
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}


def test_an_existing_empty_folder_is_used(report, coach, tmp_path):
    key, public = coach
    sealed = seal(report, public, tmp_path / "report.age")
    (tmp_path / "opened").mkdir()

    assert files_in(unseal(sealed, key, tmp_path / "opened")) == REPORT


def test_a_folder_with_something_in_it_is_refused(report, coach, tmp_path):
    key, public = coach
    sealed = seal(report, public, tmp_path / "report.age")
    (tmp_path / "opened").mkdir()
    (tmp_path / "opened" / "mine.txt").write_text("keep me")

    with pytest.raises(SealError, match=r"opened is not empty.*nothing in it is overwritten"):
        unseal(sealed, key, tmp_path / "opened")
    assert files_in(tmp_path / "opened") == {"mine.txt": b"keep me"}


# --- the coach's keys -------------------------------------------------------------------------


def test_new_identity_is_private_in_age_keygen_format_and_never_overwritten(tmp_path):
    key = tmp_path / "key.txt"
    public = new_identity(key)

    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    lines = key.read_text().splitlines()
    assert lines[0].startswith("# created: 20")
    assert lines[1] == f"# public key: {public}"
    identity = pyrage.x25519.Identity.from_str(lines[2])
    assert str(identity.to_public()) == public
    assert public.startswith("age1") and len(public) == 62

    before = key.read_bytes()
    with pytest.raises(SealError, match=r"key.txt already exists.*lock"):
        new_identity(key)
    assert key.read_bytes() == before


def test_a_recipients_file_with_comments_and_two_keys_opens_with_either(report, tmp_path):
    first, second = tmp_path / "first.key", tmp_path / "second.key"
    listing = tmp_path / "coaches.txt"
    one, two = new_identity(first), new_identity(second)
    listing.write_text(f"# the coaching practice\n\n{one}\n   \n# Robin\n  {two}\n")

    assert len(parse_recipients(listing)) == 2
    assert len(parse_recipients(str(listing))) == 2
    assert len(parse_recipients(f"{one}\n{two}\n")) == 2
    sealed = seal(report, listing, tmp_path / "report.age")
    assert files_in(unseal(sealed, first, tmp_path / "one")) == REPORT
    assert files_in(unseal(sealed, second, tmp_path / "two")) == REPORT


def test_every_bad_line_of_a_recipients_file_is_named(tmp_path, coach):
    _, public = coach
    listing = tmp_path / "coaches.txt"
    listing.write_text(f"{public}\n# fine\nage1tooshort\nhello\n")

    with pytest.raises(SealError) as caught:
        parse_recipients(listing)
    message = str(caught.value)
    assert "coaches.txt has 2 problems" in message
    assert "line 3: `age1tooshort` is not a valid age public key" in message
    assert "line 4: this is not a public key" in message


def test_a_recipients_file_without_keys_is_refused(tmp_path):
    listing = tmp_path / "coaches.txt"
    listing.write_text("# nobody yet\n\n")

    with pytest.raises(SealError, match="lists no keys"):
        parse_recipients(listing)
    with pytest.raises(SealError, match=r"recipients file .*missing.txt cannot be read"):
        parse_recipients(tmp_path / "missing.txt")


def test_a_secret_key_given_as_recipient_is_refused_without_repeating_it(coach, tmp_path):
    key, _ = coach
    secret = key.read_text().splitlines()[-1]
    listing = tmp_path / "coaches.txt"
    listing.write_text(f"# oops\n{secret}\n")

    for given in (secret, f"  {secret.lower()}\n", listing):
        with pytest.raises(SealError, match=r"\*secret\* key.*\*public\* key.*age1") as caught:
            parse_recipients(given)
        assert secret[16:] not in str(caught.value).upper()


def test_an_ssh_private_key_given_as_recipient_is_refused():
    text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH"

    with pytest.raises(
        SealError, match=r"^The key given cannot seal.*SSH \*private\* key"
    ) as caught:
        parse_recipients(text)
    assert "b3BlbnNzaC1rZXktdjEAAAAA" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", r"`hello` is not a coach's public key, and no file has that name.*age1"),
        ("  ", r"No coach key was given\. Expected an age public key \(age1…"),
        ("age1qqqq", r"`age1qqqq` is not a valid age public key \(8 characters; .* 62\)"),
        ("x" * 200, r"The text given \(200 characters\) is not a coach's public key"),
    ],
)
def test_text_that_is_no_key_gets_a_clear_message(text, message):
    with pytest.raises(SealError, match=message) as caught:
        parse_recipients(text)
    assert caught.value.__cause__ is None


def test_an_ssh_ed25519_public_key_can_seal(report, tmp_path):
    recipients = parse_recipients(SSH_ED25519)

    assert isinstance(recipients[0], pyrage.ssh.Recipient)
    sealed = seal(report, SSH_ED25519, tmp_path / "report.age")
    assert sealed.read_bytes().startswith(b"age-encryption.org/v1\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ssh-ed25519 AAAAC3NzaC1lZDI1 laptop", r"`ssh-ed25519 AAAAC3NzaC1l…` is not a valid SSH"),
        ("ssh-rsa", r"`ssh-rsa …` is not a valid SSH public key.*\.pub file"),
        ("ecdsa-sha2-nistp256 AAAAE2VjZHNh", r"type ecdsa-sha2-nistp256; age can seal only for"),
    ],
)
def test_a_malformed_or_unsupported_ssh_key_gets_a_clear_message(line, message):
    with pytest.raises(SealError, match=message) as caught:
        parse_recipients(line)
    assert caught.value.__cause__ is None


# --- what seal refuses ------------------------------------------------------------------------


def test_a_symlink_in_the_report_folder_is_refused(report, coach, tmp_path):
    _, public = coach
    (tmp_path / "elsewhere.txt").write_text("private")
    (report / "csv" / "link.csv").symlink_to(tmp_path / "elsewhere.txt")

    with pytest.raises(SealError, match=r"(?s)csv/link.csv is a symbolic link.*plain files"):
        seal(report, public, tmp_path / "report.age")
    assert not (tmp_path / "report.age").exists()


def test_an_existing_sealed_file_is_kept_unless_replace(report, coach, tmp_path):
    key, public = coach
    dest = tmp_path / "report.age"
    dest.write_bytes(b"last week's")

    with pytest.raises(SealError, match=r"report.age already exists.*replace=True"):
        seal(report, public, dest)
    assert dest.read_bytes() == b"last week's"

    seal(report, public, dest, replace=True)
    assert files_in(unseal(dest, key, tmp_path / "opened")) == REPORT


def test_the_sealed_file_cannot_go_inside_the_report(report, coach):
    _, public = coach
    with pytest.raises(SealError, match="inside the report folder"):
        seal(report, public, report / "report.age")
    assert not (report / "report.age").exists()


def test_a_report_over_the_size_bound_is_refused(report, coach, tmp_path, monkeypatch):
    _, public = coach
    monkeypatch.setattr(seal_module, "MAX_REPORT_BYTES", 50)

    with pytest.raises(SealError, match="more than a sealed report may carry"):
        seal(report, public, tmp_path / "report.age")
    assert not (tmp_path / "report.age").exists()


def test_no_keys_and_no_folder_are_refused(report, tmp_path, coach):
    _, public = coach
    with pytest.raises(SealError, match="at least one key"):
        seal(report, [], tmp_path / "report.age")
    with pytest.raises(SealError, match=r"report folder .*missing does not exist"):
        seal(tmp_path / "missing", public, tmp_path / "report.age")


# --- what unseal refuses ----------------------------------------------------------------------


def test_a_wrong_identity_is_refused_and_nothing_is_unpacked(report, coach, tmp_path):
    _, public = coach
    sealed = seal(report, public, tmp_path / "report.age")
    other = tmp_path / "other.key"
    new_identity(other)

    with pytest.raises(SealError, match=r"other.key cannot open .*report.age.*different key"):
        unseal(sealed, other, tmp_path / "opened")
    assert_nothing_unpacked(tmp_path / "opened")


def test_a_truncated_sealed_file_is_refused_and_nothing_is_unpacked(report, coach, tmp_path):
    key, public = coach
    sealed = seal(report, public, tmp_path / "report.age")
    sealed.write_bytes(sealed.read_bytes()[:-20])

    with pytest.raises(SealError, match=r"report.age is damaged or incomplete") as caught:
        unseal(sealed, key, tmp_path / "opened")
    assert caught.value.__cause__ is None
    assert_nothing_unpacked(tmp_path / "opened")


def test_a_file_that_is_not_age_is_refused(coach, tmp_path):
    key, _ = coach
    sealed = tmp_path / "report.zip"
    sealed.write_bytes(b"PK\x03\x04 not a sealed report")

    with pytest.raises(SealError, match=r"report.zip is not a sealed report.*age-encrypted"):
        unseal(sealed, key, tmp_path / "opened")
    assert_nothing_unpacked(tmp_path / "opened")


def test_sealed_data_that_is_not_a_tar_is_refused(coach, tmp_path):
    key, public = coach
    sealed = tmp_path / "report.age"
    sealed.write_bytes(pyrage.encrypt(b"just some text", parse_recipients(public)))

    with pytest.raises(SealError, match="what is inside is not a sealed report"):
        unseal(sealed, key, tmp_path / "opened")
    assert_nothing_unpacked(tmp_path / "opened")


def _symlink(tar: tarfile.TarFile) -> None:
    info = tarfile.TarInfo("csv/x.csv")
    info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
    tar.addfile(info)


def _hardlink(tar: tarfile.TarFile) -> None:
    add_file(tar, "a.csv")
    info = tarfile.TarInfo("b.csv")
    info.type, info.linkname = tarfile.LNKTYPE, "a.csv"
    tar.addfile(info)


def _device(tar: tarfile.TarFile) -> None:
    info = tarfile.TarInfo("tty")
    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 5, 0
    tar.addfile(info)


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (lambda tar: add_file(tar, "../evil.csv"), r"'../evil.csv' reaches outside"),
        (lambda tar: add_file(tar, "csv/../../evil.csv"), r"'csv/../../evil.csv' reaches outside"),
        (lambda tar: add_file(tar, "/tmp/evil.csv"), r"'/tmp/evil.csv' is an absolute path"),
        (lambda tar: add_file(tar, "C:evil.csv"), r"'C:evil.csv' is not a plain relative name"),
        (_symlink, r"'csv/x.csv' is a link"),
        (_hardlink, r"'b.csv' is a link"),
        (_device, r"'tty' is a device or pipe"),
        (lambda tar: [add_file(tar, "a.csv"), add_file(tar, "a.csv")], "'a.csv' appears twice"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "drive", "symlink", "hardlink", "device", "twice"],
)
def test_unsafe_entries_are_refused_and_nothing_is_unpacked(coach, tmp_path, add, message):
    key, public = coach

    def crafted(tar: tarfile.TarFile) -> None:
        add_file(tar, "index.html", b"<h1>fine</h1>")
        add(tar)

    sealed = sealed_tar(tmp_path, public, crafted)
    with pytest.raises(SealError, match=r"(?s)not safe to unpack.*" + message):
        unseal(sealed, key, tmp_path / "opened")
    assert_nothing_unpacked(tmp_path / "opened")
    assert not (tmp_path / "evil.csv").exists()


def test_a_report_over_the_size_bound_is_not_unpacked(coach, tmp_path, monkeypatch):
    key, public = coach
    sealed = sealed_tar(tmp_path, public, lambda tar: add_file(tar, "big.csv", b"x" * 100))
    monkeypatch.setattr(seal_module, "MAX_REPORT_BYTES", 99)

    with pytest.raises(SealError, match=r"add up to .* more than a report may hold"):
        unseal(sealed, key, tmp_path / "opened")
    assert_nothing_unpacked(tmp_path / "opened")


def test_an_identity_file_that_holds_no_secret_key_is_refused(report, coach, tmp_path):
    _, public = coach
    sealed = seal(report, public, tmp_path / "report.age")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(f"# from the coach's email\n{public}\nAGE-SECRET-KEY-1CUTSHORT\n")

    with pytest.raises(SealError) as caught:
        unseal(sealed, wrong, tmp_path / "opened")
    message = str(caught.value)
    assert "identity file" in message and "wrong.txt cannot be used" in message
    assert "line 2 is a public key" in message
    assert "line 3 is not an age secret key" in message
    assert "CUTSHORT" not in message
    assert_nothing_unpacked(tmp_path / "opened")

    with pytest.raises(SealError, match=r"identity file .*nowhere.key cannot be read"):
        unseal(sealed, tmp_path / "nowhere.key", tmp_path / "opened")


def test_a_broken_ssh_private_key_gets_a_clear_message(report, coach, tmp_path):
    _, public = coach
    sealed = seal(report, public, tmp_path / "report.age")
    broken = tmp_path / "id_ed25519"
    broken.write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n"
    )

    with pytest.raises(SealError, match=r"SSH key .*id_ed25519 cannot be used") as caught:
        unseal(sealed, broken, tmp_path / "opened")
    assert "bm90IGEga2V5" not in str(caught.value)
    assert_nothing_unpacked(tmp_path / "opened")


def test_a_failed_unpack_leaves_nothing_behind(report, coach, tmp_path, monkeypatch):
    key, public = coach
    sealed = seal(report, public, tmp_path / "report.age")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(SealError, match=r"could not be unpacked into .*opened.*nothing was"):
        unseal(sealed, key, tmp_path / "opened")
    assert_nothing_unpacked(tmp_path / "opened")
