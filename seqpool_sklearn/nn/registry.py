"""A registry of plug-in classes by name: the one door for built-ins and users' classes."""

from __future__ import annotations

import inspect


class Registry(dict):
    """Names to subclasses of ``base``; resolves ``pool=`` / ``encoder=`` values.

    Parameters
    ----------
    kind : str
        The parameter's name, for messages (``"pool"``, ``"encoder"``).
    base : type
        The plug-in base class.
    also : str, default=""
        Other accepted values, for messages (``", None"``).
    """

    def __init__(self, kind: str, base: type, also: str = ""):
        super().__init__()
        self.kind, self.base, self.also = kind, base, also

    def build(self, cls: type, contract: str, args: tuple, **options):
        """``cls.build(*args, **options)``, with a clear error where ``cls`` breaks the contract.

        ``contract`` is how the plain constructor is called (``"MyPool(n_features)"``):
        a class that keeps the base's ``build`` must take those arguments, and its
        ``__init__`` must call ``super().__init__`` before it sets attributes.
        """
        if getattr(cls.build, "__func__", None) is self.base.build.__func__:
            try:
                inspect.signature(cls).bind(*args)
            except TypeError as exc:
                raise TypeError(
                    f"The {self.kind} {cls.__name__} is built as {contract}, but its "
                    f"__init__{inspect.signature(cls)} does not take that ({exc}). Give "
                    "other arguments defaults, or set them as class attributes."
                ) from None
        try:
            obj = cls.build(*args, **options)
        except AttributeError as exc:
            if "_modules" in str(exc) or "_parameters" in str(exc) or "_buffers" in str(exc):
                raise TypeError(
                    f"{cls.__name__}.__init__ must call super().__init__(...) before setting "
                    f"attributes (it is a torch module); got AttributeError: {exc}"
                ) from None
            raise
        if "_modules" not in vars(obj):
            raise TypeError(
                f"{cls.__name__}.__init__ must call super().__init__(...) (it is a torch "
                "module); it did not."
            )
        return obj

    def register(self, cls: type) -> type:
        """Register ``cls`` under its ``name``; usable as a class decorator."""
        base = self.base.__name__
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise TypeError(f"register_{self.kind} takes a {base} subclass; got {cls!r}.")
        name = declared_name(cls)
        if not isinstance(name, str) or not name:
            inherited = getattr(cls, "name", None)
            also = (
                f" (it inherits {inherited!r}, which names its parent class)"
                if isinstance(inherited, str) and inherited
                else ""
            )
            raise ValueError(
                f"{cls.__name__}.name must be a non-empty string declared by the class itself "
                f"to register it; got {vars(cls).get('name')!r}{also}."
            )
        bad = [c for c in "+," if c in name]
        if bad or name.strip().lower() == "none" or name != name.strip():
            raise ValueError(
                f"{cls.__name__}.name {name!r} cannot be registered: a name must not contain "
                "'+' or ',' (they join pools into a combined pool: 'ppv+lspv', "
                "'--pools avg,max'), be 'none' (no encoder), or have surrounding spaces."
            )
        known = self.get(name)
        if known is not None and known is not cls:
            raise ValueError(
                f"{'An' if self.kind[0] in 'aeiou' else 'A'} {self.kind} named {name!r} is "
                f"registered already ({_qualified(known)})."
            )
        self[name] = cls
        return cls

    def resolve(self, spec) -> type:
        """The class of a registered name or a subclass; a clear error for anything else."""
        base = self.base.__name__
        if isinstance(spec, str):
            if spec not in self:
                from .._validation import did_you_mean

                raise ValueError(
                    f"{self.kind} must be one of {tuple(self)}{self.also} or a {base} "
                    f"subclass; got {spec!r}.{did_you_mean(spec, list(self))}"
                )
            return self[spec]
        if isinstance(spec, type) and issubclass(spec, self.base):
            return spec
        if isinstance(spec, self.base):
            raise TypeError(
                f"{self.kind} must be {_article(self.kind)} {self.kind} name{self.also} or "
                f"a {base} subclass; got an instance of {type(spec).__name__}. Pass the "
                f"class ({self.kind}="
                f"{type(spec).__name__}), not an instance: the network builds it for the "
                "data's shape."
            )
        raise TypeError(
            f"{self.kind} must be {_article(self.kind)} {self.kind} name{self.also} or a "
            f"subclass of seqpool_sklearn.{base}; got {spec!r} of type {type(spec).__name__}."
        )


def _article(word: str) -> str:
    """'an' before a vowel ("an encoder name"), else 'a' ("a pool name")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def declared_name(cls: type) -> str | None:
    """The ``name`` a class declares itself, not one inherited from its parent.

    A subclass of a registered class (``class SoftMax(MaxPool)``) is another plug-in: it
    must not be named, registered or compared as its parent (``"max"``).
    """
    return vars(cls).get("name")


def label(spec) -> str:
    """How results and plots name a plug-in: the name its class declares, else its class name."""
    if spec is None:
        return "none"
    if isinstance(spec, str):
        return spec
    if isinstance(spec, type):
        return declared_name(spec) or spec.__name__
    return getattr(spec, "__name__", str(spec))


def _qualified(cls: type) -> str:
    """``module.QualName`` of a class, for messages that must tell namesakes apart."""
    return f"{cls.__module__}.{cls.__qualname__}"


def check_distinct_labels(specs, kind: str, resolve) -> None:
    """Refuse two different plug-in classes that results would name alike.

    ``specs`` are values of ``pool=`` / ``encoder=`` (names or classes); ``resolve`` gives
    each one's class. Results, plots and a combined pool's members are told apart by their
    labels, so two classes under one label would be merged into one row.
    """
    seen: dict[str, type] = {}
    for spec in specs:
        cls = resolve(spec)
        key = label(spec)
        other = seen.setdefault(key, cls)
        if other is not cls:
            raise ValueError(
                f"Two different {kind} classes would both be named {key!r} in the results: "
                f"{_qualified(other)} and {_qualified(cls)}. Give one of them another class "
                f"name, or register it under a name of its own (register_{kind})."
            )
