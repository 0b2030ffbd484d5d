"""The parameter and attribute text both estimators' docstrings share."""

from __future__ import annotations

from .._options import ENCODERS, POOLS, choices_doc

_SHARED_PARAMS = """\
    order : {"pool_first", "decode_first"}, default="pool_first"
        ``"pool_first"``: pool over time -> linear decoder -> activation -> output
        layer. ``"decode_first"``: linear decoder at every time step ->
        activation -> pool over time -> output layer.
    pool : {pool_choices}, Pool subclass or tuple of them, default="avg"
        Pooling over the valid (non-NaN) steps of each window. ``"lp"`` is the
        power mean ``(mean |h|^p)^(1/p)`` with ``p = lp_power``;
        ``"attention"`` learns a softmax weight per step. ``"ppv"``, ``"mpv"``,
        ``"mipv"``, ``"lspv"`` are MultiRocket's operators (proportion, mean and
        mean scaled rank of the positive values, longest run of positive values)
        and ``"logmpv"`` is ``log(1 + mpv)``, which an extreme test series cannot
        move without limit (the robust choice for regression); behind
        ``"minirocket"`` / ``"multirocket"`` they read the biased
        convolutions ``c(t) - b`` (scaled per kernel) and their pooled features
        are standardised by the training series'. A tuple, e.g.
        ``("ppv", "lspv")``, concatenates the features of several pools (named
        ``"ppv+lspv"`` in results). A subclass of :class:`~seqpool_sklearn.Pool`
        (the class, not an instance) enters the grid like a name.
    window : int or None, default=None
        ``None`` pools over the whole series (one frame; predict then accepts
        3D series of any length). ``k`` pools non-overlapping windows of ``k``
        steps (the last partial window kept) and flattens the frames before
        the output layer, so coarse temporal order survives; the frame count is
        fixed at fit. Behind a frozen encoder (``"minirocket"``), training
        ``pool_first`` keeps every training series' pooled frames when they take
        at most 2 GiB (4 bytes per map and frame in float32: 2000 series of 500
        steps at ``window=8`` and 9996 maps would take 5 GB) and pools them again
        at every batch beyond that: the same model, more time (MultiRocket's pools,
        whose frames are standardised, up to float64 round-off of the frames' means
        and spreads, gathered a chunk at a time there).
    encoder : {encoder_choices}, Encoder subclass or None, default="minirocket"
        ``"minirocket"``: frozen random convolutions in the MiniRocket style
        (Dempster et al. 2021): 84 fixed kernels at exponentially spaced
        dilations, each output compared with biases taken from quantiles of the
        training data; the encoder emits the standardised indicator ``c(t) > b``
        of every kernel/dilation/bias at every step, so ``pool="avg"`` gives
        MiniRocket's proportion of positive values (every convolution zero-padded,
        where MiniRocket leaves the ends out for half of the kernels), and order,
        pool and window act on those maps. Nothing in it is trained, which makes
        it fast.
        ``"minirocket_alternating"``: the same with MiniRocket's own padding:
        half of the kernel/dilation pairs count only the steps whose nine taps
        fall on observed steps, leaving the series' ends out of their maps.
        ``"multirocket"``: the same kernels on the series and on its first
        difference (half the maps each), as MultiRocket (Tan et al. 2022) does.
        ``"hydra"``: Hydra's competing convolutions (Dempster et al. 2023): groups
        of 8 random kernels on the series and its first difference; at every step
        the encoder marks each group's winning kernel (weighted by its response)
        and losing kernel, so ``pool="avg"`` gives Hydra's standardised counts.
        ``"multirocket_hydra"``: the maps of ``"multirocket"`` followed by those
        of ``"hydra"`` (at its default width), as MultiRocket+Hydra combines them.
        ``"conv"``: FCN-style, three Conv1d + batch norm + ReLU blocks of widths
        ``(w, 2w, w)`` with ``w = encoder_channels``. ``"gru"``: a GRU with
        ``encoder_channels`` units per direction. ``None``: the head sees the
        raw channels. A subclass of :class:`~seqpool_sklearn.Encoder` (the class)
        is built as ``cls(n_channels, n_timesteps, encoder_channels)``.
    hidden_size : int or None, default=None
        Width of the linear decoder. None: 64, or 128 for a classifier of 7
        classes or more in the data it is fitted on (a rule measured on the
        20-dataset suite: with many classes the wider decoder gained 1.1 accuracy
        points on the three seeds the rule was chosen on and was level on five
        fresh seeds, 0.44 points over all eight; with few classes it did not gain),
        so a cross-validation
        fold that misses a class may build another width than the whole data.
        With ``readout="ridge"``, None is at least twice the readout's rank for
        one frame -- ``2 * n_outputs`` for the regressor, ``2 * (n_classes - 1)``
        for the classifier -- the width that holds it exactly.
        ``hidden_size_`` holds the width used.
    activation : {"relu", "gelu", "tanh"} or None, default="relu"
        Non-linearity after the decoder. With ``None`` and ``pool="avg"``
        both orders compute the same function.
    dropout : float, default=0.5
        Dropout after the activation (the decoder's output, before pooling in
        ``decode_first``).
    lp_power : float, default=3.0
        Power of ``pool="lp"``.
    encoder_channels : int or None, default=None
        Encoder width. ``"minirocket"`` (and ``"minirocket_alternating"``): number of
        maps, rounded down to a multiple of 84 and at least 84 (``None``: 9996);
        ``"multirocket"``: half per branch,
        each half rounded down to a multiple of 84 and at least 84 (``None``:
        9912). ``"hydra"``: groups per dilation (``None``: 64; 16 maps
        each; an odd number above 1 rounded down to an even one).
        ``"multirocket_hydra"``: the multirocket part's maps (``None``: 9912);
        Hydra's part stays at 64 groups whatever the value (1024 maps per
        dilation, 5120 for series of 150 steps), so at a small width it holds most
        of the maps and of the cost; a subclass narrows it (see
        :class:`~seqpool_sklearn.nn.encoders.MultiRocketHydraEncoder`).
        ``"conv"``: ``w`` (``None``: 64).
        ``"gru"``: hidden units per direction (``None``: 64). The decoder of
        ``order="decode_first"`` runs at every step over this width; behind the
        ``"minirocket"`` encoder it reads one table row per kernel group instead
        of every map, from ranks computed once per fit (kept in memory when they
        take at most 2 GiB, about 500 series of 512 steps, and recomputed at every
        batch beyond that; the budget covers the kept ranks, and computing them
        takes working memory on top: such a 500-series fit peaked 0.7 GiB above
        its 1.9 GiB of ranks), yet a full-width ``decode_first``
        fit still took 4 to 100 times a ``pool_first`` one (which pools once per
        fit; median 26 on 20 archive datasets), the most on long series. At most
        1 000 000.
    bidirectional : bool, default=True
        GRU encoder only: read the series in both directions.
    readout : {"trained", "ridge"}, default="trained"
        ``"trained"``: the decoder and output layer are trained by the optimizer
        for ``max_epochs``. ``"ridge"``: no training; the head is set to the ridge
        regression of the targets on the pooled encoder features (the decoder's
        inputs, every frame), solved in closed form -- features scaled to unit
        spread and a penalty chosen from ``logspace(-3, 3, 10)`` by efficient
        leave-one-out cross-validation, MiniRocket's readout (classes as +1/-1
        codes, the scores scaled into logits by a temperature fitted on the cross-validated
        scores, so ``predict_proba`` is calibrated; the regressor's outputs
        standardised each, one penalty chosen for all of them by the errors summed
        over the standardised outputs, so every output weighs the same in the
        choice whatever its units). The head computes that linear
        readout with its own layers, a pair of decoder units per direction of the
        readout (``act(u) - act(-u) = u``), so prediction, export and explanations
        are unchanged; it needs a frozen encoder, a pool without parameters,
        ``activation`` ``"relu"``, ``"gelu"`` or None, and under
        ``order="decode_first"`` a linear pool (``"avg"``, or a pool declaring
        ``linear = True``; behind the average both orders compute the same
        readout). The pairs hold a readout of rank up to ``hidden_size // 2``
        exactly, on every input; ``hidden_size=None`` is wide enough for one
        frame. With one frame under ReLU, a readout of rank up to
        ``hidden_size`` gets one unit per direction, shifted to be active on every
        training series; it is exact as long as each direction's value stays above
        its training minimum minus its training range, and clipped below that. A
        higher rank is approximated. Both warn and name the ``hidden_size`` of the exact
        readout. Every ``fit`` solves anew (``warm_start`` does not apply), there
        is no ``partial_fit``, and ``patience`` does not apply (nothing is held
        out or stopped). Sample
        weights weigh the ridge as copies, a weight of ``k`` as ``k`` copies of
        the series (the model as a whole differs from one fitted on copies behind
        the ``"minirocket"`` and ``"multirocket"`` encoders, which draw their
        biases from the unweighted training series), and class weights weigh
        each copy, so the size of sample weights matters: leave-one-out leaves
        one copy out (with its class weight; a series of class weight 3 is left
        out whole, one of sample weight 3 a copy at a time), and equal weights of
        50 choose the penalty on nearly in-sample errors. Pass importance weights scaled to
        mean 1 (``w / w.mean()``). With more features than series the ridge
        can fit every training series, and weights then change little. Its cost
        grows as ``n * d * min(n, d)`` for ``n`` series and ``d`` pooled features,
        its memory as two float64 copies of the ``n x d`` features (one scaled;
        a third of the series kept where some sample weights are 0) and three
        ``n x n`` matrices (with more series than features: two ``d x d`` and a
        third ``n x d``), with LAPACK's eigen-solver's working
        memory on top: a fit on 5000 series of the default encoder peaked 2.1 GB
        above the memory in use before it. On Linux, ``fit`` estimates that memory
        (1.8 GB for that fit) before the encoder's set-up pass: beyond the machine's
        memory (or its control group's limit) it refuses with a ``ValueError``,
        beyond the memory available at the time it warns. A companion is fitted
        first and checks its own readout the same way.
    companion : None, str, Encoder class or estimator, default=None
        A second model fitted beside the network on the same data, whose predictions
        are blended with the network's: ``predict_proba`` is ``(1 - companion_weight)``
        times the network's probabilities plus ``companion_weight`` times the
        companion's (the regressor's ``predict`` likewise). An encoder (a registered
        name such as ``"hydra"``, or an Encoder class): a closed-form readout of its
        averaged maps (``readout="ridge"``) with this estimator's ``n_threads``,
        ``device``, ``dtype``, ``batch_size`` and class weights; an estimator of this
        one's kind (a ``SeqPoolClassifier`` for the classifier, with ``companion=None``):
        a clone of it, its parameters grid-searchable as ``companion__<name>``. The
        companion is seeded by ``random_state`` (where its own is None) and fitted
        with the sample weights. ``fit`` fits it anew; ``partial_fit`` trains the
        network alone, and ``initialize`` leaves none. ``order``, ``pool`` and
        ``window`` act on the network only, and the companion dilutes their effect
        on the predictions: compare head designs with ``companion=None``. ``export``
        writes both networks and the blend into one file (a companion with a window
        needs the network's). ``explain``, ``deletion_score`` and ``save_params``
        cover the network alone, so they refuse a model with a companion (pickle and
        joblib store it whole; ``load_params`` loads the network alone). A fitted
        model's predictions take ``companion_weight`` as it is when they run, so it can
        be tuned without refitting; ``compare_heads`` warns when the estimator it
        compares has a companion.
        On the 20-dataset suite, over seeds 0 to 2, ``companion="hydra"`` beside the
        default head was 1.02 accuracy points above MiniRocket on average where the
        head alone was 0.26 above, at about 1.3 times the default's fit; with
        ``max_epochs=60``, 1.02 points above on seed 0 (0.99 over the seeds) at 9.2
        times MiniRocket's median fit (see the benchmarks page: the trained head and
        Hydra's ridge err on different series).
    companion_weight : float in [0, 1], default=0.5
        The companion's share of the blended predictions.
    max_epochs : int or None, default=100
        Training epochs (an upper bound when ``patience`` is set). ``None``: a
        budget that scales with the training set, at least 1000 optimizer steps
        and at least 100 epochs (so 30 series at ``batch_size=32`` get 1000 epochs
        of one step, 600 series 100 epochs of 19 steps) -- for trainable encoders
        on small training sets; with the default encoder it bought no accuracy on
        the UCR suite. The defaults of the training parameters were chosen on a
        20-dataset UCR/UEA suite; the evidence is in the documentation's
        benchmarks page.
    lr : float, default=0.0003
        Learning rate of the optimizer.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``: the rate decays from ``lr`` to 0 along a half cosine over
        the ``max_epochs`` of each fit (recorded in ``history_`` as ``"lr"``);
        a warm-started fit runs a new cycle. ``"constant"``: ``lr`` throughout, or
        the schedule of a skorch ``LRScheduler`` in ``callbacks`` (refused under
        ``"cosine"``, which would override it).
    batch_size : int, default=32
        Mini-batch size for training and prediction (the whole training set
        when it is smaller).
    optimizer : torch optimizer class, default=torch.optim.Adam
        Further arguments go through ``optimizer__*`` keywords. ``Adam`` and ``AdamW``
        on the CPU or CUDA run torch's fused update (``fused=True``: one pass over the
        parameters per step, the same update up to rounding) unless
        ``optimizer__fused`` or ``optimizer__foreach`` is given.
    patience : int or None, default=None
        Early stopping: hold out ``validation_fraction`` of the training data
        and stop after ``patience`` epochs without improvement of the
        validation loss, restoring the best weights. ``None`` trains on all
        the data for ``max_epochs``. ``train_split=None`` is refused with it.
        ``readout="ridge"`` trains nothing and ignores it.
    validation_fraction : float, default=0.1
        Fraction held out when ``patience`` is set (stratified for classifiers).
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (copied at every fit, never mutated). The
        estimators add their own under the names ``"lr_schedule"`` (with
        ``lr_schedule="cosine"``), ``"valid_score"`` and ``"early_stopping"``
        (with ``patience``), besides skorch's ``"print_log"``: a callback of
        that name clashes with them. An ``EpochScoring`` / ``BatchScoring``
        whose ``scoring`` is a name or None is refused: skorch would score the
        inner network's raw outputs (logits; targets on the regressor's
        standardised scale), not the predictions -- use ``patience`` (its
        ``"valid_score"``) or a callback of your own. The regressor's ``"r2"``
        and ``"explained_variance"``, which that scale does not change, are
        taken. A callable ``scoring`` is taken as skorch calls it, with the
        inner network and the targets as it trains on them: its ``predict``
        returns the raw outputs (class scores in the order of ``classes_``;
        values on the standardised target scale) and ``y`` holds class
        indices or standardised values -- a scale-free score of those is
        right, an RMSE is in standard deviations of the training targets.
        With ``sample_weight``, their ``target_extractor`` gets the targets
        without the weights: the score is unweighted. A callback that monitors
        a ``"valid_*"`` key (skorch's ``EarlyStopping``, ``Checkpoint``) needs
        held-out data: with ``patience=None`` and no ``train_split`` it is
        refused.
    warm_start : bool, default=False
        If True and the estimator is fitted, ``fit`` continues training the
        existing network, optimizer state included, for ``max_epochs`` more
        epochs instead of starting anew (``partial_fit`` continues it alike).
        Parameters changed since the network was built are applied to it where
        they can be: ``lr`` and ``optimizer__<key>`` of the optimizer's
        parameter groups (as skorch's virtual parameters), ``batch_size``,
        ``verbose``, ``dropout`` and ``iterator_train__*`` /
        ``iterator_valid__*``; ``max_epochs``, ``random_state``, ``n_threads``
        and ``class_weight`` are read as they are, and the network keeps its
        ``dtype`` and device. Any other change (``optimizer``,
        ``lr_schedule``, ``patience``, ``callbacks``, the head's and encoder's
        parameters, ``module__*``, ``criterion__*`` ...) raises a ValueError
        naming it: fit with ``warm_start=False`` to build a network with it.
        The classifier's classes and the regressor's number of outputs must
        stay the same. The regressor keeps the target scaling of the fit that
        built the network (the mean and spread of that fit's ``y``), as
        ``partial_fit`` does: the continued network's outputs keep their
        meaning, and its predictions do not change before training.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout inside ``fit``, and the
        frozen encoders' draws (the series their biases come from; Hydra's kernels
        and channel subsets), from generators of the fit's own (not torch's global
        one, so fits in parallel threads do not share draws). The same integer
        gives bitwise-identical predictions. The channel subsets of the
        ``"minirocket"`` and ``"multirocket"`` kernels on multivariate series are
        fixed, as their kernels are, and do not change with it.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
        A model trained on CUDA unpickles on a CPU-only machine (skorch moves it
        to the CPU with a ``DeviceWarning``).
    n_threads : "auto", int or None, default="auto"
        torch intra-op CPU threads during ``fit`` and ``predict``; the previous
        setting is restored afterwards. ``"auto"`` uses the physical cores the
        process may use (CPU affinity, cgroup quota, ``OMP_NUM_THREADS`` at
        start-up) in the main process, the
        worker's share in a joblib worker process (``cpu_count() // n_jobs``),
        and one thread in a joblib worker thread, a Dask task or a forked child
        process (``multiprocessing.Pool`` with the ``fork`` start method), so
        ``GridSearchCV(n_jobs=-1)`` does not oversubscribe the machine -- unless
        the process was started with ``OMP_NUM_THREADS``: joblib hands that to
        every worker as it is, so it caps each worker, not the search. Then pass
        ``n_threads=1``, or run the search inside
        ``joblib.parallel_config("loky", inner_max_num_threads=cores // n_jobs)``
        (:func:`~seqpool_sklearn.compare_heads` does this itself). CPU
        kernels split their sums by thread, so ``random_state`` gives the same
        model for the same thread count: with ``"auto"``, on the same machine
        and back-end; with ``n_threads=1``, bitwise-identical results in every
        process and thread (``n_jobs=1``, loky, threading and Dask workers) and on
        every machine with
        the same torch build. ``None`` leaves torch's setting
        (``torch.get_num_threads()``) alone.
    verbose : int, default=0
        ``> 0`` prints skorch's per-epoch table.
    dtype : {"float32", "float64"}, default="float32"
        Precision of training: ``X``, the targets and the network. ``"float64"``
        trains in double precision, 1 to about 4.5 times as slow on a CPU,
        depending on the model (the most behind the random-convolution
        encoders, under ``decode_first``); fits then agree
        with each other to float64 round-off (e.g. a sample weight of ``k`` and
        ``k`` copies of the sample). Prediction computes in float64 either way.
        The random-convolution encoders compare their outputs with fitted biases;
        for series of float32 values (what ``"float32"`` reads) every output is
        exact, so the CPU's compiled kernel and torch (CUDA, or no numba) give the
        same features. With ``"float64"`` and values that float32 cannot hold, an
        output that equals a bias up to rounding -- a flat stretch of the series
        gives outputs and biases of 0 -- can fall on either side of it, and
        predictions on CPU and CUDA can differ.
    **kwargs : skorch routing
        ``module__*``, ``optimizer__*``, ``criterion__*``, ``iterator_train__*``,
        ``iterator_valid__*``, ``callbacks__*``, ``train_split``, ... as in
        skorch. Refused: ``module__n_outputs``, ``module__n_channels`` and
        ``module__n_timesteps`` (set from the data), ``dataset`` and
        ``dataset__*`` (the data are held as tensors), and keywords the default
        batch iterator does not take (it takes ``batch_size``, ``shuffle``,
        ``generator``, ``drop_last``; pass
        ``iterator_train=torch.utils.data.DataLoader`` for DataLoader's), as is
        a fit whose ``drop_last`` leaves no training batch."""

_SHARED_ATTRIBUTES = """\
    n_features_in_ : int
        Number of channels for 3D input; number of columns (time steps) for 2D input.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a 2D DataFrame with string column names.
    n_channels_in_ : int
        Channels seen during fit (1 for 2D input).
    n_timesteps_in_ : int
        Length of the (padded) training series the network was built for (a warm
        start on series of another length keeps the first fit's).
    n_frames_ : int
        Frames produced by the head (1 for ``window=None``).
    hidden_size_ : int
        Width of the decoder built (``hidden_size``, or its rule for None).
    net_ : skorch.NeuralNet
        The trained skorch net (history, callbacks, ``save_params``, ...).
    module_ : torch.nn.Module
        The trained :class:`~seqpool_sklearn.SeqPoolModule`.
    history_ : skorch.history.History
        Per-epoch training record (``net_.history``).
    n_iter_ : int
        Epochs trained in the last call to ``fit`` (0 with ``readout="ridge"``).
    alpha_ : float
        With ``readout="ridge"``: the penalty that cross-validation chose.
    companion_ : estimator or None
        The fitted companion (see ``companion``); None without one, after
        ``initialize``, and after ``partial_fit`` alone."""


_SHARED_PARAMS = _SHARED_PARAMS.replace("{pool_choices}", choices_doc(POOLS)).replace(
    "{encoder_choices}", choices_doc(ENCODERS)
)


def _fill_doc(cls):
    # the placeholders sit at the docstring's own indentation; the shared text carries its own
    cls.__doc__ = cls.__doc__.replace("    {shared_params}", _SHARED_PARAMS).replace(
        "    {shared_attributes}", _SHARED_ATTRIBUTES
    )
    return cls
