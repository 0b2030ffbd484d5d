"""Test helper shared by the reproducibility and Dask tests."""

from contextlib import contextmanager

import torch


@contextmanager
def caller_threads(n: int):
    """Run the block with torch at ``n`` intra-op threads, as a caller might have set it."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
