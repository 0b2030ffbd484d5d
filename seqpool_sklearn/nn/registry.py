"""A registry of plug-in classes by name: the one door for built-ins and users' classes."""

from __future__ import annotations


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

    def register(self, cls: type) -> type:
        """Register ``cls`` under its ``name``; usable as a class decorator."""
        base = self.base.__name__
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise TypeError(f"register_{self.kind} takes a {base} subclass; got {cls!r}.")
        if not isinstance(cls.name, str) or not cls.name:
            raise ValueError(f"{cls.__name__}.name must be a non-empty string to register it.")
        known = self.get(cls.name)
        if known is not None and known is not cls:
            raise ValueError(
                f"A {self.kind} named {cls.name!r} is registered already ({known.__name__})."
            )
        self[cls.name] = cls
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
        raise TypeError(
            f"{self.kind} must be a {self.kind} name{self.also} or a subclass of "
            f"seqpool_sklearn.{base}; got {spec!r} of type {type(spec).__name__}."
        )


def label(spec) -> str:
    """How results and plots name a plug-in: its registered name, else its class name."""
    if spec is None:
        return "none"
    if isinstance(spec, str):
        return spec
    return getattr(spec, "name", None) or getattr(spec, "__name__", str(spec))
