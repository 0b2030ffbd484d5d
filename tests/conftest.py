"""Shared test configuration.

Tests train many tiny models; one intra-op thread per process is both the fastest
setting for them and immune to oversubscription when pytest shares the machine.
"""

import os
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def ucr_home():
    """The folder of UCR/UEA datasets: $SEQPOOL_DATA_HOME, else ../shared/ucr beside the repo."""
    env = os.environ.get("SEQPOOL_DATA_HOME")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "ucr"
    if not (path / "GunPoint").is_dir():
        pytest.skip(f"UCR datasets not found in {path}; set SEQPOOL_DATA_HOME")
    return path
