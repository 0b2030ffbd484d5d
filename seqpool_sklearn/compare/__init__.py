"""Compare head designs under cross-validation, with paired order effects.

:func:`compare_heads` runs the ``order x pool x window`` grid of a sequence estimator as
*one* :class:`~sklearn.model_selection.GridSearchCV` whose splits are drawn once, up front,
and handed to the search as a list: every configuration is trained and scored on exactly the
same folds, so the score of ``decode_first`` on split ``j`` and the score of ``pool_first``
on split ``j`` form a pair. Scheduling is joblib's (``n_jobs``, or any joblib back-end such
as Dask's via ``joblib.parallel_backend``); nothing here loops over fits by hand.

Design decisions
----------------
* Per-split fit times. ``GridSearchCV`` only reports the mean and standard deviation of the
  fit time per configuration. The estimator is therefore wrapped in a private meta-estimator
  that times its own ``fit``, and the scorer reports that time as a second "metric" next to
  the score. The search, its splits and its parallelism stay untouched.
* Progress. ``GridSearchCV`` owns its ``joblib.Parallel``; the one hook joblib calls in the
  *calling* process after every finished task, for every back-end (sequential, threads,
  processes, Dask), is ``Parallel.print_progress``. When progress is asked for, that
  method is wrapped while such calls run: the first to start installs the wrapper and the
  last to end puts the original back. Each search's ``Parallel`` is tagged with its call's
  callback when the calling thread runs it, so calls overlapping in threads each see only
  their own fits, and each count is reported once.
* Statistics. Cross-validation folds share training data, so the paired differences are not
  independent and a plain paired t-test is far too confident. The corrected resampled t-test
  of Nadeau & Bengio (2003) inflates the variance by ``n_test / n_train``; it lives in
  ``_stats`` with the plain-words verdict, apart from the grid plumbing here.
* Many tests, one family. ``order_effect()`` tests one pool x window cell per row, and
  ``main_effect()`` one level per row; the p-values of a table are Holm-adjusted as one
  family (``adjust="holm"``) and the verdicts use the adjusted value, so "significant"
  means the family-wise error rate is at most ``alpha``. Each table is its own family: a
  user reading the order effects is answering one question, the pool effects another.
* Equivalence. "No significant difference" is not evidence of no difference. With an
  ``equivalence_margin`` the same corrected standard error also runs two one-sided tests
  (TOST), Holm-adjusted over the table as well, and a cell is "equivalent within ±m",
  "inconclusive" or won by one side.
* Seeds. With ``n_seeds`` / ``random_states`` every configuration is refitted on every
  split under each seed (the seed is one more grid parameter, so the search still owns the
  scheduling). The paired differences are taken per (split, seed) and then *averaged over
  the seeds of a split*; the corrected t-test runs on those ``k`` split means with
  ``k - 1`` degrees of freedom. Initialisation noise thus sits inside the spread the test
  measures (it cannot pass for an effect) while more seeds shrink it, and the seeds are
  never counted as independent replicates of the data -- they share the split's rows.
* Across datasets. :func:`summarize_comparisons` works on the per-dataset mean scores only:
  scores of different datasets are not commensurable, so it uses ranks (mean rank per
  design, a Nemenyi critical-difference diagram) and signs (win/tie/loss, the Wilcoxon
  signed-rank test with Holm over the cells), as Demšar (2006) recommends.
* The figure. ``plot()`` hands ``_plotting`` the public tables (``results``, ``summary()``,
  ``order_effect()``) and nothing else; that module never imports this one.
"""

from .across import ComparisonSummary, summarize_comparisons
from .grid import compare_heads
from .results import HeadComparison

__all__ = ["ComparisonSummary", "HeadComparison", "compare_heads", "summarize_comparisons"]
