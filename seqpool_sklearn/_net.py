"""The skorch side: a tensor dataset, a whole-batch iterator and the training net.

Training data are converted to one float32 tensor at fit start. The iterator
then cuts mini-batches by slicing (or one gather per epoch when shuffling)
instead of fetching and collating samples one by one, which is where plain
skorch spends most of its per-epoch overhead on small sequence models. Everything
else -- callbacks, history, validation split, early stopping -- is skorch's own.
"""

from __future__ import annotations

import torch
from skorch import NeuralNet
from skorch.callbacks import PrintLog
from torch.utils.data import Dataset, Subset


class TensorData(Dataset):
    """Inputs (and optional targets) held as whole tensors."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor | None = None):
        self.X = X
        self.y = y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (self.y[i] if self.y is not None else torch.zeros(0))


def _resolve(dataset) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Tensors behind a TensorData, or behind a Subset of one (validation splits)."""
    if isinstance(dataset, TensorData):
        return dataset.X, dataset.y
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorData):
        idx = torch.as_tensor(dataset.indices, dtype=torch.long)
        base = dataset.dataset
        return base.X[idx], (base.y[idx] if base.y is not None else None)
    raise TypeError(
        "TensorBatches iterates over a TensorData (or a Subset of one); got "
        f"{type(dataset).__name__}. Pass iterator_train=torch.utils.data.DataLoader "
        "to use a custom dataset."
    )


class TensorBatches:
    """Mini-batches by tensor slicing; drop-in for skorch's ``iterator_train``.

    Parameters
    ----------
    dataset : TensorData or Subset of TensorData
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation per pass (one gather per epoch).
    generator : torch.Generator, optional
        Source of the permutation, for reproducible shuffling.
    """

    def __init__(self, dataset, batch_size: int = 128, shuffle: bool = False, generator=None):
        self.X, self.y = _resolve(dataset)
        self.batch_size = len(self.X) if batch_size in (-1, None) else int(batch_size)
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self) -> int:
        return (len(self.X) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        X, y = self.X, self.y
        if self.shuffle:
            perm = torch.randperm(len(X), generator=self.generator)
            X = X[perm]
            y = y[perm] if y is not None else None
        for start in range(0, len(X), self.batch_size):
            stop = start + self.batch_size
            yield X[start:stop], (y[start:stop] if y is not None else None)


class QuietPrintLog(PrintLog):
    """skorch's ``PrintLog`` that skips formatting the table when nothing is printed.

    ``PrintLog`` tabulates the epoch row even with ``verbose=0`` and then drops
    it, which costs several milliseconds per epoch -- more than a whole epoch of
    a small model. With another ``sink`` than ``print`` it behaves exactly like
    ``PrintLog``.
    """

    def on_epoch_end(self, net, **kwargs):
        if self.sink is print and not net.verbose:
            return
        super().on_epoch_end(net, **kwargs)


class SeqPoolNet(NeuralNet):
    """skorch ``NeuralNet`` whose datasets are whole tensors.

    Used internally by the estimators; reach it as ``estimator.net_`` for the
    full skorch API (history, callbacks, ``save_params``, ...).

    Two per-batch costs of ``NeuralNet`` are removed without changing what
    callbacks see: the modules are switched between train and eval mode only
    when their mode actually changes (``NeuralNet`` walks every submodule
    through ``nn.Module.__setattr__`` at every batch), and the default
    ``print_log`` callback does not build its table when it prints nothing.
    """

    @property
    def _default_callbacks(self):
        return [
            (name, QuietPrintLog() if name == "print_log" else cb)
            for name, cb in super()._default_callbacks
        ]

    def _set_training(self, training: bool = True) -> None:
        # ``Module.train`` recurses into every submodule; the root's flag tells
        # whether the last call (ours, skorch's or the user's) left it in this mode.
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def get_dataset(self, X, y=None):
        if isinstance(X, torch.Tensor):
            if y is not None and not isinstance(y, torch.Tensor):
                y = torch.as_tensor(y)
            return TensorData(X, y)
        return super().get_dataset(X, y)
