"""What the dashboard does after each job it runs for the command line
(monitoring/cli/remote.py `after_each_job`; the server prepares the share links' views of
the new data there, ui/startup.py)."""

import pytest

from monitoring.cli import remote


@pytest.fixture
def hooks(monkeypatch):
    hooks: list = []
    monkeypatch.setattr(remote, "_after_jobs", hooks)
    return hooks


def job(db, *argv: str) -> dict:
    ours = remote.release()
    request = {"protocol": remote.PROTOCOL, "release": list(ours), "database": str(db.path)}
    return remote._handle(db, ours, {**request, "argv": list(argv)}, peer_uid=0)


def test_each_job_is_followed_by_the_hooks_with_its_database(file_db, hooks):
    seen = []
    remote.after_each_job(seen.append)
    remote.after_each_job(seen.append)  # asked twice, called once
    answer = job(file_db, "history")
    assert answer["code"] == 0
    assert seen == [file_db]


def test_a_hook_that_fails_leaves_the_jobs_answer_as_it_was(file_db, hooks, caplog):
    def broken(_db):
        raise RuntimeError("the hook broke")

    remote.after_each_job(broken)
    answer = job(file_db, "history")
    assert answer["code"] == 0 and "No batches yet" in answer["stdout"]
    assert "the hook broke" in caplog.text
