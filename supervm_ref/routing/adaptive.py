"""The adaptive router (spec/adaptive.md, ROUTE-ADAPT-*): the target share of a block's slots
that the fast path gets, moved after every window of observed transactions by the conflict and
success rates of that window.

Every ratio is exact: configuration values are decimal numbers with at most six decimal places,
held as `Decimal` in `AdaptiveRouterConfig` and as integers in millionths (ppm) in the router's
state, and every comparison is made in integers (ROUTE-ADAPT-9), so the targets are a pure
function of the configuration and of the sequence of observations (ROUTE-ADAPT-11). Floats
appear only in `AdaptiveRouter.target_fast_ratio`, for display.

The target steers block composition (`AdaptiveRouter.fast_slots`, ROUTE-ADAPT-10), never the
route of a transaction, which is a function of its inputs alone (ROUTE-ADAPT-13).
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation
from enum import StrEnum
from typing import Any

from ..errors import ConfigError, InvalidArgumentError, require_int, shown

#: ROUTE-ADAPT-1: ratios are held in millionths.
PPM = 1_000_000
#: ROUTE-ADAPT-2: the largest ``update_every`` (a u32).
MAX_UPDATE_EVERY = 2**32 - 1
#: ROUTE-ADAPT-7: the largest count of one observation, and the largest block capacity (u32).
MAX_COUNT = 2**32 - 1
#: ROUTE-ADAPT-4: the prefix of the router's environment variables.
ENV_PREFIX = "SUPERVM_ADAPTIVE_"

#: ROUTE-ADAPT-1, ROUTE-ADAPT-4: each field of `AdaptiveRouterConfig` and its variable, in the
#: order of the spec's table.
VARIABLES: dict[str, str] = {
    "initial_fast_ratio": "SUPERVM_ADAPTIVE_INIT",
    "min_ratio": "SUPERVM_ADAPTIVE_MIN",
    "max_ratio": "SUPERVM_ADAPTIVE_MAX",
    "step_up": "SUPERVM_ADAPTIVE_STEP_UP",
    "step_down": "SUPERVM_ADAPTIVE_STEP_DOWN",
    "conflict_low": "SUPERVM_ADAPTIVE_CONFLICT_LOW",
    "conflict_high": "SUPERVM_ADAPTIVE_CONFLICT_HIGH",
    "success_low": "SUPERVM_ADAPTIVE_SUCCESS_LOW",
    "update_every": "SUPERVM_ADAPTIVE_UPDATE_EVERY",
}
#: The fields that are ratios (every field but ``update_every``).
RATIO_FIELDS = tuple(name for name in VARIABLES if name != "update_every")

#: ROUTE-ADAPT-4: the text of a ratio in an environment variable, and of ``update_every``.
_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_INTEGER_TEXT = re.compile(r"[0-9]+")

#: ROUTE-ADAPT-2: one millionth, the exponent every ratio is quantized to, and the context of
#: that quantization: a ratio in [0, 1] quantized to millionths has at most 7 digits, so 28
#: digits of precision always hold the result, and a quantization that would drop a non-zero
#: digit signals `Inexact`, which is trapped: the check is exact whatever the value's length
#: (the default context would round ``0.1000000000000000000000000000001 * PPM`` to 28
#: digits, i.e. to a whole number of millionths).
_MILLIONTH = Decimal("0.000001")
_EXACT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[Inexact, InvalidOperation])


class AdaptiveConfigErrorKind(StrEnum):
    """ROUTE-ADAPT-6: the canonical kinds of a configuration of the router that cannot be
    used (conformance vectors compare these, never messages)."""

    MALFORMED = "adaptive_config_malformed"
    """Not a decimal number (a ratio) or not an integer (``update_every``): also NaN,
    infinities, signs, exponents, blanks and the empty text."""
    OUT_OF_RANGE = "adaptive_config_out_of_range"
    """A ratio outside [0, 1], or ``update_every`` outside [1, 2**32 - 1]."""
    TOO_PRECISE = "adaptive_config_too_precise"
    """A ratio that is not a whole number of millionths (more than six decimal places)."""
    INCONSISTENT = "adaptive_config_inconsistent"
    """``min_ratio <= initial_fast_ratio <= max_ratio`` or ``conflict_low <= conflict_high``
    does not hold."""
    UNKNOWN_VARIABLE = "adaptive_config_unknown_variable"
    """An environment variable starting with ``SUPERVM_ADAPTIVE_`` that is not one of the
    router's (a misspelt name would otherwise be ignored)."""


class AdaptiveConfigError(ConfigError):
    """ROUTE-ADAPT-6: a configuration of the adaptive router that cannot be used. ``kind`` is
    the canonical kind, ``fields`` the `AdaptiveRouterConfig` fields concerned and
    ``variables`` their environment variables (two of each for an inconsistency, in the order
    the rule states them: the one that must be smaller first)."""

    def __init__(self, kind: AdaptiveConfigErrorKind, fields: tuple[str, ...],
                 variables: tuple[str, ...], message: str) -> None:
        self.kind = kind
        self.fields = fields
        self.variables = variables
        super().__init__(message)


def _label(name: str) -> str:
    """A field as messages name it: the field and its variable."""
    return f"{name} ({VARIABLES[name]})"


def _value_error(kind: AdaptiveConfigErrorKind, name: str, expected: str,
                 found: object) -> AdaptiveConfigError:
    return AdaptiveConfigError(kind, (name,), (VARIABLES[name],),
                               f"{_label(name)}: expected {expected}, found {shown(found)}")


_RATIO = "a decimal number from 0 to 1 with at most 6 decimal places"
_UPDATE = f"an integer from 1 to {MAX_UPDATE_EVERY:,}"


def ratio_ppm(name: str, value: object) -> int:
    """ROUTE-ADAPT-2: the ratio ``value`` of field ``name`` in millionths, exactly.

    ``value`` is a `Decimal`, an ``int``, a ``float`` (read as its shortest representation,
    ``repr``, which is the literal it was written as for up to 15 significant digits) or a
    text of the grammar of ROUTE-ADAPT-4. Malformed values, values outside [0, 1] and values
    that are not a whole number of millionths are an `AdaptiveConfigError` naming the field
    and its variable."""
    # PARSE: an exact decimal, or MALFORMED.
    number: Decimal | None = None
    if isinstance(value, str):
        if _DECIMAL_TEXT.fullmatch(value):
            number = Decimal(value)
    elif isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | Decimal):
        candidate = Decimal(repr(value)) if isinstance(value, float) else value
        number = candidate if candidate.is_finite() else None
    if number is None:
        raise _value_error(AdaptiveConfigErrorKind.MALFORMED, name, _RATIO, value)
    # RANGE, then PRECISION (a value outside [0, 1] is out of range whatever its digits).
    if not 0 <= number <= 1:
        raise _value_error(AdaptiveConfigErrorKind.OUT_OF_RANGE, name, _RATIO, value)
    # Quantized exactly, never rounded: in libmpdec, linear in the value's digits.
    try:
        millionths = number.quantize(_MILLIONTH, context=_EXACT)
    except Inexact:
        raise _value_error(AdaptiveConfigErrorKind.TOO_PRECISE, name, _RATIO, value) from None
    return int(millionths.scaleb(6, context=_EXACT))


def update_every_value(value: object) -> int:
    """ROUTE-ADAPT-2: ``update_every`` as an integer in [1, 2**32 - 1]: an ``int`` (not a
    ``bool``) or a text of decimal digits (ROUTE-ADAPT-4); `AdaptiveConfigError` otherwise."""
    number: int | None = None
    if isinstance(value, str):
        if _INTEGER_TEXT.fullmatch(value):
            digits = value.lstrip("0")
            # A text too long to be in range is out of range without converting it.
            number = int(digits or "0") if len(digits) <= 20 else MAX_UPDATE_EVERY + 1
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    if number is None:
        raise _value_error(AdaptiveConfigErrorKind.MALFORMED, "update_every", _UPDATE, value)
    if not 1 <= number <= MAX_UPDATE_EVERY:
        raise _value_error(AdaptiveConfigErrorKind.OUT_OF_RANGE, "update_every", _UPDATE,
                           value)
    return number


def ppm_text(ppm: int) -> str:
    """ROUTE-ADAPT-4: the canonical text of a ratio of ``ppm`` millionths: the shortest
    decimal (``"0.7"``, ``"0.05"``, ``"1"``, ``"0"``), which reads back to the same value."""
    whole, fraction = divmod(ppm, PPM)
    text = f"{fraction:06d}".rstrip("0")
    return f"{whole}.{text}" if text else str(whole)


def _decimal(ppm: int) -> Decimal:
    """The `Decimal` a field holds for ``ppm`` millionths (the canonical text's value)."""
    return Decimal(ppm_text(ppm))


@dataclass(frozen=True, slots=True)
class AdaptiveRouterConfig:
    """ROUTE-ADAPT-1..3: the parameters of the adaptive router, with the seed's defaults.

    Ratios may be given as `Decimal`, ``int``, ``float`` or text (ROUTE-ADAPT-2) and are held
    as the exact `Decimal` of a whole number of millionths (``*_ppm`` gives the integer); a
    value that cannot be used, or ``min_ratio <= initial_fast_ratio <= max_ratio`` or
    ``conflict_low <= conflict_high`` not holding (ROUTE-ADAPT-3), is an
    `AdaptiveConfigError` (a `supervm_ref.config.ConfigError`) naming the fields and their
    environment variables. Nothing is swapped or clamped silently."""

    initial_fast_ratio: Decimal = Decimal("0.7")
    min_ratio: Decimal = Decimal("0.1")
    max_ratio: Decimal = Decimal("0.9")
    step_up: Decimal = Decimal("0.05")
    step_down: Decimal = Decimal("0.05")
    conflict_low: Decimal = Decimal("0.05")
    conflict_high: Decimal = Decimal("0.25")
    success_low: Decimal = Decimal("0.8")
    update_every: int = 100

    def __post_init__(self) -> None:
        """ROUTE-ADAPT-2, ROUTE-ADAPT-3: check and normalise every field, then the orders."""
        # VALUES, in the order of the fields.
        ppm: dict[str, int] = {}
        for name in RATIO_FIELDS:
            ppm[name] = ratio_ppm(name, getattr(self, name))
            object.__setattr__(self, name, _decimal(ppm[name]))
        object.__setattr__(self, "update_every", update_every_value(self.update_every))
        # ORDERS (ROUTE-ADAPT-3).
        for low, high in (("min_ratio", "initial_fast_ratio"),
                          ("initial_fast_ratio", "max_ratio"),
                          ("conflict_low", "conflict_high")):
            if ppm[low] > ppm[high]:
                raise AdaptiveConfigError(
                    AdaptiveConfigErrorKind.INCONSISTENT, (low, high),
                    (VARIABLES[low], VARIABLES[high]),
                    f"{_label(low)} must be at most {_label(high)}: found "
                    f"{ppm_text(ppm[low])} > {ppm_text(ppm[high])}")

    def ppm(self, name: str) -> int:
        """ROUTE-ADAPT-1: the ratio field ``name`` in millionths (an exact integer)."""
        if name not in RATIO_FIELDS:
            raise InvalidArgumentError("name", f"one of {', '.join(RATIO_FIELDS)}", name)
        value: Decimal = getattr(self, name)
        return int(value * PPM)

    def to_env(self) -> dict[str, str]:
        """ROUTE-ADAPT-4: every field as its environment variable and canonical text;
        ``from_env(config.to_env()) == config``."""
        env = {VARIABLES[name]: ppm_text(self.ppm(name)) for name in RATIO_FIELDS}
        env[VARIABLES["update_every"]] = str(self.update_every)
        return env

    @classmethod
    def from_values(cls, values: Mapping[str, object], base: AdaptiveRouterConfig | None = None
                    ) -> AdaptiveRouterConfig:
        """ROUTE-ADAPT-5: ``base`` (default: the defaults) with the fields ``values`` names
        replaced, checked as a whole; an unknown field (or a key that is not a text) is a
        `ConfigError`. ``values`` not a `Mapping` or ``base`` not an `AdaptiveRouterConfig`
        (or None) is an `InvalidArgumentError`, raised before anything is read from them
        (ROUTE-ADAPT-6: no iterable is materialised)."""
        if not isinstance(values, Mapping):
            raise InvalidArgumentError("values", "a mapping of field names to values", values)
        start = _base(base, cls)
        unknown = sorted(shown(key) for key in values if key not in VARIABLES)
        if unknown:
            raise ConfigError(f"unknown key(s) {', '.join(unknown)} (known: "
                              f"{', '.join(VARIABLES)})")
        merged: dict[str, Any] = {name: getattr(start, name) for name in VARIABLES}
        merged.update(values)
        return cls(**merged)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None,
                 base: AdaptiveRouterConfig | None = None) -> AdaptiveRouterConfig:
        """ROUTE-ADAPT-4: ``base`` (default: the defaults) with every ``SUPERVM_ADAPTIVE_*``
        variable of ``env`` (default: ``os.environ``) that is set replacing its field.

        A malformed value, a value out of range or too precise, an inconsistent result and a
        ``SUPERVM_ADAPTIVE_*`` variable that is not one of the router's are an
        `AdaptiveConfigError` naming the variable(s). ``env`` not a `Mapping` with text
        names (or None), or ``base`` not an `AdaptiveRouterConfig` (or None), is an
        `InvalidArgumentError` (ROUTE-ADAPT-6)."""
        if env is not None and not isinstance(env, Mapping):
            raise InvalidArgumentError("env", "a mapping of variable names to texts, or None",
                                       env)
        _base(base, cls)
        source = os.environ if env is None else env
        fields_of = {variable: name for name, variable in VARIABLES.items()}
        names = list(source)
        for variable in names:
            if not isinstance(variable, str):
                raise InvalidArgumentError("env", "a mapping whose names are texts", variable)
        # NAMES: every variable with the prefix must be one of ours.
        for variable in sorted(names):
            if variable.startswith(ENV_PREFIX) and variable not in fields_of:
                raise AdaptiveConfigError(
                    AdaptiveConfigErrorKind.UNKNOWN_VARIABLE, (), (variable,),
                    f"{variable}: expected one of {', '.join(VARIABLES.values())}, found an "
                    "unknown variable")
        # VALUES: texts, checked by the fields' own rules (ROUTE-ADAPT-2).
        values: dict[str, object] = {}
        for variable, name in fields_of.items():
            if variable in source:
                text = source[variable]
                if not isinstance(text, str):
                    raise _value_error(AdaptiveConfigErrorKind.MALFORMED, name, "a text", text)
                values[name] = text
        return cls.from_values(values, base)


def _base(base: object, cls: type[AdaptiveRouterConfig]) -> AdaptiveRouterConfig:
    """ROUTE-ADAPT-6: the configuration ``base`` names: itself, or the defaults for None;
    anything else is an `InvalidArgumentError` (a falsy or foreign value is never taken for
    "no base")."""
    if base is None:
        return cls()
    if not isinstance(base, AdaptiveRouterConfig):
        raise InvalidArgumentError("base", "an AdaptiveRouterConfig or None", base)
    return base


@dataclass(frozen=True, slots=True)
class AdaptiveRouterStats:
    """ROUTE-ADAPT-12: a snapshot of an `AdaptiveRouter`.

    ``target_ppm`` is the target in millionths; ``adjustments`` the number of closed windows
    that changed it; ``windows`` the number of closed windows; ``observations`` the number of
    `AdaptiveRouter.observe` calls accepted; ``transactions``, ``successes`` and
    ``conflicts`` their totals; ``window_transactions``, ``window_successes`` and
    ``window_conflicts`` those of the open window."""

    target_ppm: int
    adjustments: int
    windows: int
    observations: int
    transactions: int
    successes: int
    conflicts: int
    window_transactions: int
    window_successes: int
    window_conflicts: int

    @property
    def target_fast_ratio(self) -> float:
        """ROUTE-ADAPT-12: the target as a float, for display only."""
        return self.target_ppm / PPM

    def as_dict(self) -> dict[str, int]:
        """ROUTE-ADAPT-12: every member, as a JSON object of integers (CONF-ROUTER-2)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def round_half_even(numerator: int, denominator: int) -> int:
    """ROUTE-ADAPT-10: ``numerator / denominator`` (both non-negative, the denominator
    positive) rounded to the nearest integer, ties to the even one, in integers."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


class AdaptiveRouter:
    """ROUTE-ADAPT-7..12: the target fast ratio and the windows that move it.

    Safe to share between threads: every method holds the router's lock, so observations are
    applied one at a time, in the order their calls take the lock (ROUTE-ADAPT-11)."""

    def __init__(self, config: AdaptiveRouterConfig | None = None) -> None:
        """ROUTE-ADAPT-1: a router at ``config.initial_fast_ratio`` (default: the defaults)
        with an empty window; a ``config`` of another type is an `InvalidArgumentError`."""
        if config is None:
            config = AdaptiveRouterConfig()
        if not isinstance(config, AdaptiveRouterConfig):
            raise InvalidArgumentError("config", "an AdaptiveRouterConfig or None", config)
        self._config = config
        self._lock = threading.Lock()
        # The rule's constants, in millionths (ROUTE-ADAPT-9).
        self._min = config.ppm("min_ratio")
        self._max = config.ppm("max_ratio")
        self._step_up = config.ppm("step_up")
        self._step_down = config.ppm("step_down")
        self._conflict_low = config.ppm("conflict_low")
        self._conflict_high = config.ppm("conflict_high")
        self._success_low = config.ppm("success_low")
        # The state: integers only.
        self._target = config.ppm("initial_fast_ratio")
        self._adjustments = 0
        self._windows = 0
        self._observations = 0
        self._totals = [0, 0, 0]  # transactions, successes, conflicts
        self._window = [0, 0, 0]

    @property
    def config(self) -> AdaptiveRouterConfig:
        """The configuration the router was made with."""
        return self._config

    def target_fast_ratio(self) -> float:
        """ROUTE-ADAPT-12: the current target as a float, for display; decisions use
        `target_fast_ratio_ppm`."""
        with self._lock:
            return self._target / PPM

    def target_fast_ratio_ppm(self) -> int:
        """ROUTE-ADAPT-12: the current target in millionths, exactly."""
        with self._lock:
            return self._target

    def adjustments(self) -> int:
        """ROUTE-ADAPT-9: how many closed windows changed the target."""
        with self._lock:
            return self._adjustments

    def observe(self, *, transactions: int, successes: int, conflicts: int) -> bool:
        """ROUTE-ADAPT-7..9: add the outcome of ``transactions`` transactions (``successes``
        of them succeeded, ``conflicts`` met a conflict) to the open window; when the window
        reaches ``update_every`` transactions it closes and the rule moves the target.
        Returns True when the target changed.

        ``transactions`` is an integer in [0, 2**32 - 1]; ``successes`` and ``conflicts`` in
        [0, transactions]; anything else is an `InvalidArgumentError` and changes nothing."""
        # ARGUMENTS (ROUTE-ADAPT-7).
        require_int(transactions, "transactions", 0, MAX_COUNT)
        require_int(successes, "successes", 0, transactions)
        require_int(conflicts, "conflicts", 0, transactions)
        with self._lock:
            # TOTALS.
            self._observations += 1
            for i, count in enumerate((transactions, successes, conflicts)):
                self._totals[i] += count
                self._window[i] += count
            # WINDOW (ROUTE-ADAPT-8): it closes when it holds update_every transactions or more.
            if self._window[0] < self._config.update_every:
                return False
            total, succeeded, conflicted = self._window
            self._window = [0, 0, 0]
            self._windows += 1
            # RULE (ROUTE-ADAPT-9).
            target = next_target(self._target, total, succeeded, conflicted,
                                 minimum=self._min, maximum=self._max,
                                 step_up=self._step_up, step_down=self._step_down,
                                 conflict_low=self._conflict_low,
                                 conflict_high=self._conflict_high,
                                 success_low=self._success_low)
            if target == self._target:
                return False
            self._target = target
            self._adjustments += 1
            return True

    def fast_slots(self, capacity: int) -> int:
        """ROUTE-ADAPT-10: of a block's ``capacity`` slots (an integer in [0, 2**32 - 1]), how
        many the fast queue gets: round-half-even(target x capacity), in integers."""
        require_int(capacity, "capacity", 0, MAX_COUNT)
        with self._lock:
            return round_half_even(self._target * capacity, PPM)

    def stats(self) -> AdaptiveRouterStats:
        """ROUTE-ADAPT-12: a consistent snapshot of the router."""
        with self._lock:
            return AdaptiveRouterStats(self._target, self._adjustments, self._windows,
                                       self._observations, *self._totals, *self._window)


def next_target(target: int, transactions: int, successes: int, conflicts: int, *,
                minimum: int, maximum: int, step_up: int, step_down: int, conflict_low: int,
                conflict_high: int, success_low: int) -> int:
    """ROUTE-ADAPT-9: the target after a closed window of ``transactions`` (> 0) transactions,
    everything in millionths and every comparison in integers:

    - conflict rate above ``conflict_high`` or success rate below ``success_low``: down by
      ``step_down``, not below ``minimum``;
    - otherwise conflict rate below ``conflict_low``: up by ``step_up``, not above
      ``maximum``;
    - otherwise unchanged."""
    if (conflicts * PPM > conflict_high * transactions
            or successes * PPM < success_low * transactions):
        return max(minimum, target - step_down)
    if conflicts * PPM < conflict_low * transactions:
        return min(maximum, target + step_up)
    return target
