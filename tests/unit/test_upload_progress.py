"""Upload progress is per account and upload id, and forgotten once its end has been read."""

from adapters.web.upload_progress import UploadProgress


def test_progress_is_read_only_by_its_own_account_and_forgotten_after_the_end():
    progress = UploadProgress()
    report = progress.reporter("account-a", "upload-123")
    assert progress.reporter("account-a", "bad id!") is None
    report(500, 2000)
    assert progress.read("account-a", "upload-123") == {"done": 500, "total": 2000, "finished": False}
    assert progress.read("account-b", "upload-123") is None
    progress.finish("account-a", "upload-123")
    assert progress.read("account-a", "upload-123") == {"done": 2000, "total": 2000, "finished": True}
    assert progress.read("account-a", "upload-123") is None
