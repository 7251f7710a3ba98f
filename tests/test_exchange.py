"""autograder/exchange.py: what Collect takes from the exchange's inbound folder, file by file.

The folders are made as root and handed to a uid of their own (a student's account); the
accounts file names that uid, as on a host whose students are not system accounts. The whole
collect, with real accounts and `nbgrader collect`, is tests/test_exchange_attacks.py.
"""
import os
import stat

import pytest

from autograder.exchange import Refused, copy_submission, inspect, read_accounts

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (hands folders to another uid)")
ALICE, BOB = 61001, 61002


@pytest.fixture
def accounts(tmp_path):
    path = tmp_path / "passwd"
    path.write_text(f"# the class\nalice:x:{ALICE}:100::/:/bin/false\nbob:x:{BOB}:100::/:/bin/false\n")
    return read_accounts(str(path))


def submission(tmp_path, owner=ALICE, name="alice+bptt+2026-12-07 10:00:00.000000 UTC+abc"):
    folder = tmp_path / "inbound" / name
    (folder / "data").mkdir(parents=True)
    (folder / "01_mlp_backprop.ipynb").write_text('{"cells": []}')
    (folder / "data" / "notes.txt").write_text("mine")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, owner, 100)
    return folder


def test_a_students_own_submission_is_copied_whole(tmp_path, accounts):
    folder = submission(tmp_path)
    assert inspect(str(folder), "alice", accounts=accounts) == ALICE
    dest = tmp_path / "submitted" / "alice" / "bptt"
    copy_submission(str(folder), str(dest), ALICE)
    assert (dest / "01_mlp_backprop.ipynb").read_text() == '{"cells": []}'
    assert (dest / "data" / "notes.txt").read_text() == "mine"
    assert stat.S_IMODE(os.stat(dest / "01_mlp_backprop.ipynb").st_mode) == 0o644
    assert sorted(p.name for p in dest.parent.iterdir()) == ["bptt"]        # no half-built copy left


def test_a_folder_named_for_another_student_is_refused(tmp_path, accounts):
    folder = submission(tmp_path, owner=BOB)
    with pytest.raises(Refused, match="claims to be submitted by alice but belongs to bob"):
        inspect(str(folder), "alice", accounts=accounts)


def test_an_owner_missing_from_the_accounts_file_is_refused(tmp_path, accounts):
    folder = submission(tmp_path, owner=61003)
    with pytest.raises(Refused, match=r"belongs to uid 61003 \(not in the accounts file\)"):
        inspect(str(folder), "alice", accounts=accounts)


@pytest.mark.parametrize("plant, reason", [
    (lambda f: os.symlink("/etc/shadow", f / "02_rnn_bptt.ipynb"), "02_rnn_bptt.ipynb is a symbolic link"),
    (lambda f: os.symlink("/etc", f / "data" / "etc"), "etc is a symbolic link"),
    (lambda f: os.mkfifo(f / "03_two_layer_rnn.ipynb"), "03_two_layer_rnn.ipynb is a FIFO"),
    (lambda f: os.mknod(f / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3)), "null is a device"),
], ids=["link to a file", "link to a folder", "fifo", "device"])
def test_anything_but_regular_files_and_folders_is_refused(tmp_path, accounts, plant, reason):
    folder = submission(tmp_path)
    plant(folder)
    with pytest.raises(Refused, match=reason):
        inspect(str(folder), "alice", accounts=accounts)
    with pytest.raises(Refused, match=reason):
        copy_submission(str(folder), str(tmp_path / "submitted" / "alice" / "bptt"), ALICE)
    assert list((tmp_path / "submitted" / "alice").iterdir()) == []


def test_a_file_someone_else_owns_is_refused(tmp_path, accounts):
    """A hard link to a file of the instructor's, say, is owned by the instructor, not by the student."""
    folder = submission(tmp_path)
    os.chown(folder / "data" / "notes.txt", 0, 0)
    with pytest.raises(Refused, match=r"notes.txt belongs to root, not to the submitting student"):
        inspect(str(folder), "alice", accounts=accounts)


def test_a_file_swapped_for_a_link_after_the_check_is_refused_by_the_copy(tmp_path, accounts):
    folder = submission(tmp_path)
    assert inspect(str(folder), "alice", accounts=accounts) == ALICE
    secret = tmp_path / "source.ipynb"
    secret.write_text("the instructor's solutions")
    (folder / "01_mlp_backprop.ipynb").unlink()
    os.symlink(secret, folder / "01_mlp_backprop.ipynb")
    os.chown(folder / "01_mlp_backprop.ipynb", ALICE, 100, follow_symlinks=False)
    dest = tmp_path / "submitted" / "alice" / "bptt"
    with pytest.raises(Refused, match="is a symbolic link"):
        copy_submission(str(folder), str(dest), ALICE)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_a_submission_over_the_size_limit_is_refused(tmp_path, accounts):
    folder = submission(tmp_path)
    with pytest.raises(Refused, match="larger than 10 bytes"):
        inspect(str(folder), "alice", max_bytes=10, accounts=accounts)
