"""Files only the app's own user may read: the instance folder, the secret key, SQLite files, imports, backups.

Each is created with its final mode (folders 0700, files 0600), never written first and restricted after,
and whatever the process umask is (gunicorn's can be 0).
"""

import contextlib
import os
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """The folder, created readable by its owner only when missing (parents it creates keep the defaults)."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    return path


def tighten(path: Path, mode: int) -> None:
    """Take group and other permissions away from a file or folder of ours made by an older version."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        path.chmod(mode)


def create_empty(path: Path) -> None:
    """An empty private file, unless the file exists already."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def write_private(path: Path, text: str, replace: bool = True) -> None:
    """Write the whole file at once: readers see the old content or the new, never half of it.

    With `replace=False` an existing file is kept (the first of several processes to write it wins)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a partial file left by a crash may have had another mode
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if replace:
            os.replace(partial, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)
