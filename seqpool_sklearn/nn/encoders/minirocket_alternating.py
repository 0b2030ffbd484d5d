"""MiniRocket's own padding (``encoder="minirocket_alternating"``)."""

from __future__ import annotations

from .base import register_encoder
from .minirocket import RandomConvEncoder


@register_encoder
class AlternatingPaddingEncoder(RandomConvEncoder):
    """:class:`RandomConvEncoder` with MiniRocket's alternating padding.

    As ``"minirocket"``, except that, as in MiniRocket's transform, half of the
    kernel/dilation pairs count only the steps whose nine taps all fall on observed
    steps (kernel ``k`` at the ``i``-th dilation where ``i + k`` is odd): the padded
    ends of the series (and the steps next to a gap) count as below every bias in their
    maps. Their averages count the same steps above each bias as MiniRocket's
    proportions of positive values, divided by the series' observed steps rather than
    by the steps counted (a factor that differs between series of different lengths).
    The zero-padded ends and the left-out ends see different parts of a series: on the
    benchmarks page's derived regression tasks each wins on some (MiniRocket's way on
    GunPoint's roughness, zero padding on ChlorineConcentration's), and a ridge readout
    of this encoder is the companion the regression docs recommend beside
    MultiRocket's pools. Every pool, order and window applies, with the compiled
    kernels of ``"minirocket"``.

    Parameters
    ----------
    n_channels : int
    n_timesteps : int
    n_features : int, default=9996
    maps : {"indicator", "biased"}, default="indicator"
        See :class:`RandomConvEncoder`; the module picks it from the head's pool.

    Examples
    --------
    >>> import torch
    >>> enc = AlternatingPaddingEncoder(1, 50, n_features=168)
    >>> x = torch.randn(8, 1, 50)
    >>> mask = torch.ones(8, 50, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> maps = enc(x, mask)
    >>> maps.shape
    torch.Size([8, 168, 50])
    >>> # kernel 1 at the first dilation (1) is unpadded: its first 4 steps are not counted
    >>> first = enc.per_dilation[0]  # its biases follow kernel 0's
    >>> bool((maps[:, first, :4] == maps[:, first, :4][0, 0]).all())
    True
    """

    name = "minirocket_alternating"
    summary = "frozen MiniRocket-style convolutions with MiniRocket's alternating padding"

    def __init__(
        self,
        n_channels: int,
        n_timesteps: int,
        n_features: int | None = 9996,
        max_dilations: int = 32,
        seed: int = 0,
        maps: str = "indicator",
    ):
        super().__init__(
            n_channels, n_timesteps, n_features, max_dilations, seed, maps, padding="alternate"
        )
