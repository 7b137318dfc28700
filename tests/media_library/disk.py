"""A media disk that fills up part way through a write."""

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from unittest import mock


class _FillingFile:
    def __init__(self, file, budget):
        self._file, self._budget = file, budget

    def write(self, data):
        room = self._budget["left"]
        if len(data) > room:
            self._file.write(data[:room])
            self._budget["left"] = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._budget["left"] -= len(data)
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


@contextmanager
def disk_full_after(size: int):
    """Files written through FileSystemStorage take ``size`` bytes in all, then the disk
    is full: the write that crosses it lands what fits and fails with ENOSPC."""
    budget = {"left": size}
    real_fdopen = os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        file = real_fdopen(fd, mode, *args, **kwargs)
        return _FillingFile(file, budget) if "w" in mode else file

    with mock.patch("django.core.files.storage.filesystem.os.fdopen", fdopen):
        yield


def files_under(*folders) -> list[str]:
    """Every file below the folders, as paths relative to them."""
    return sorted(
        str(path.relative_to(folder))
        for folder in map(Path, folders)
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file()
    )
