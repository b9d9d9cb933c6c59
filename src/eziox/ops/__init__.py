"""Operations: structured request logs and Prometheus metrics.

Nothing here imports prometheus_client: `eziox serve` must choose the metrics directory of
its workers before the first import (the client reads PROMETHEUS_MULTIPROC_DIR then).
"""

from __future__ import annotations

import os
import shutil
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir() -> str:
    """A fresh, empty directory for the worker processes' metric files."""
    path = tempfile.mkdtemp(prefix="eziox-metrics-")
    os.environ[MULTIPROC_ENV] = path
    return path


def remove_metrics_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
