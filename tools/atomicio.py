"""Files written whole or not at all: a temporary file beside the target,
filled, closed, then renamed over it. Shared by the network tools."""
import os
import tempfile


def write_atomic(path, fill, binary=False):
    """Call fill(f) on a temporary file in path's folder, then rename it to
    path; on any error the temporary file is removed and path is untouched."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb" if binary else "w") as f:
            fill(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
