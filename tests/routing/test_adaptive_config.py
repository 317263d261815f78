"""The adaptive router's configuration (spec/adaptive.md ROUTE-ADAPT-1..6): fields and defaults,
exact values, consistency, the environment variables, supervm.toml's [routing] section and the
precedence of the three."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref.config import Config, ConfigError, load_config
from supervm_ref.errors import InvalidArgumentError, SuperVMError
from supervm_ref.routing.adaptive import (
    PPM,
    RATIO_FIELDS,
    VARIABLES,
    AdaptiveConfigError,
    AdaptiveConfigErrorKind,
    AdaptiveRouterConfig,
    ppm_text,
)

K = AdaptiveConfigErrorKind


def test_defaults_are_the_seeds() -> None:
    """ROUTE-ADAPT-1: the seed's defaults, held exactly, and their millionths."""
    config = AdaptiveRouterConfig()
    assert [config.ppm(name) for name in RATIO_FIELDS] == [
        700_000, 100_000, 900_000, 50_000, 50_000, 50_000, 250_000, 800_000]
    assert config.update_every == 100
    assert config.initial_fast_ratio == Decimal("0.70")
    assert config.to_env() == {
        "SUPERVM_ADAPTIVE_INIT": "0.7", "SUPERVM_ADAPTIVE_MIN": "0.1",
        "SUPERVM_ADAPTIVE_MAX": "0.9", "SUPERVM_ADAPTIVE_STEP_UP": "0.05",
        "SUPERVM_ADAPTIVE_STEP_DOWN": "0.05", "SUPERVM_ADAPTIVE_CONFLICT_LOW": "0.05",
        "SUPERVM_ADAPTIVE_CONFLICT_HIGH": "0.25", "SUPERVM_ADAPTIVE_SUCCESS_LOW": "0.8",
        "SUPERVM_ADAPTIVE_UPDATE_EVERY": "100"}
    assert AdaptiveRouterConfig.from_env({}) == config
    with pytest.raises(SuperVMError):
        config.ppm("update_every")


@pytest.mark.parametrize(("value", "ppm"), [
    (Decimal("0.70"), 700_000), ("0.70", 700_000), (0.7, 700_000), (1, 1_000_000), (0, 0),
    ("1.000000", 1_000_000), ("0.1234560", 123_456), ("0.000001", 1), (0.000001, 1),
    ("00.5", 500_000)])
def test_ratio_values_are_exact(value: object, ppm: int) -> None:
    """ROUTE-ADAPT-2: Decimal, int, float (by its repr) and text are read exactly; trailing
    zeros beyond six places are fine; fields hold the normalised decimal."""
    config = AdaptiveRouterConfig(min_ratio=0, step_up=value)  # type: ignore[arg-type]
    assert config.ppm("step_up") == ppm
    assert config.step_up == Decimal(ppm) / 1_000_000


@pytest.mark.parametrize(("value", "kind"), [
    ("abc", K.MALFORMED), ("", K.MALFORMED), (" 0.5", K.MALFORMED), ("0.5 ", K.MALFORMED),
    ("+0.5", K.MALFORMED), ("-0.5", K.MALFORMED), ("5e-2", K.MALFORMED), (".5", K.MALFORMED),
    ("5.", K.MALFORMED), ("nan", K.MALFORMED), ("inf", K.MALFORMED), ("0,5", K.MALFORMED),
    (float("nan"), K.MALFORMED), (float("inf"), K.MALFORMED), (Decimal("NaN"), K.MALFORMED),
    (True, K.MALFORMED), (None, K.MALFORMED), ([0.5], K.MALFORMED), (b"0.5", K.MALFORMED),
    ("1.5", K.OUT_OF_RANGE), (2, K.OUT_OF_RANGE), (-0.1, K.OUT_OF_RANGE),
    (Decimal("-0.000001"), K.OUT_OF_RANGE), ("1.0000001", K.OUT_OF_RANGE),
    ("9" * 5000, K.OUT_OF_RANGE),
    ("0.1234567", K.TOO_PRECISE), (0.1 + 0.2, K.TOO_PRECISE), (Decimal("0.0000005"),
                                                                K.TOO_PRECISE)])
def test_bad_ratio_values(value: object, kind: AdaptiveConfigErrorKind) -> None:
    """ROUTE-ADAPT-2, ROUTE-ADAPT-6: malformed, out of range and too precise, in that order;
    the error is a ConfigError naming the field and its variable; never rounded."""
    with pytest.raises(AdaptiveConfigError) as info:
        AdaptiveRouterConfig(step_up=value)  # type: ignore[arg-type]
    error = info.value
    assert isinstance(error, ConfigError) and error.kind is kind
    assert error.fields == ("step_up",) and error.variables == ("SUPERVM_ADAPTIVE_STEP_UP",)
    assert "step_up" in str(error) and "SUPERVM_ADAPTIVE_STEP_UP" in str(error)
    assert "expected" in str(error) and "found" in str(error)


@pytest.mark.parametrize(("value", "kind"), [
    (0, K.OUT_OF_RANGE), (-1, K.OUT_OF_RANGE), (2**32, K.OUT_OF_RANGE), ("0", K.OUT_OF_RANGE),
    ("4294967296", K.OUT_OF_RANGE), ("1" * 5000, K.OUT_OF_RANGE), (1.0, K.MALFORMED),
    ("1.0", K.MALFORMED), ("1e3", K.MALFORMED), ("", K.MALFORMED), (True, K.MALFORMED),
    ("-5", K.MALFORMED), (" 5", K.MALFORMED), (None, K.MALFORMED)])
def test_bad_update_every(value: object, kind: AdaptiveConfigErrorKind) -> None:
    """ROUTE-ADAPT-2: update_every is an int or digits in [1, 2**32 - 1]."""
    with pytest.raises(AdaptiveConfigError) as info:
        AdaptiveRouterConfig(update_every=value)  # type: ignore[arg-type]
    assert info.value.kind is kind and info.value.variables == ("SUPERVM_ADAPTIVE_UPDATE_EVERY",)
    assert AdaptiveRouterConfig(update_every="0007").update_every == 7  # type: ignore[arg-type]
    assert AdaptiveRouterConfig(update_every=2**32 - 1).update_every == 2**32 - 1


@pytest.mark.parametrize(("values", "pair"), [
    ({"min_ratio": "0.8"}, ("min_ratio", "initial_fast_ratio")),
    ({"max_ratio": "0.5"}, ("initial_fast_ratio", "max_ratio")),
    ({"min_ratio": "0.95", "max_ratio": "0.05"}, ("min_ratio", "initial_fast_ratio")),
    ({"initial_fast_ratio": "0.05"}, ("min_ratio", "initial_fast_ratio")),
    ({"conflict_low": "0.3"}, ("conflict_low", "conflict_high")),
])
def test_inconsistent_configurations_are_errors(values: dict[str, str],
                                                pair: tuple[str, str]) -> None:
    """ROUTE-ADAPT-3, ROUTE-ADAPT-6: min <= initial <= max and conflict_low <= conflict_high,
    else an error naming both fields and variables (nothing swapped or clamped)."""
    with pytest.raises(AdaptiveConfigError) as info:
        AdaptiveRouterConfig.from_values(values)
    error = info.value
    assert error.kind is K.INCONSISTENT and error.fields == pair
    assert error.variables == tuple(VARIABLES[f] for f in pair)
    for name in (*pair, *error.variables):
        assert name in str(error)
    equal = AdaptiveRouterConfig.from_values({"min_ratio": "0.7", "max_ratio": "0.7",
                                              "step_up": 0, "step_down": 0,
                                              "conflict_low": 1, "conflict_high": 1})
    assert equal.ppm("min_ratio") == equal.ppm("max_ratio") == 700_000


LONG_TENTH = "0.1" + "0" * 29 + "1"  # 0.1 and one more digit at the 31st place


@pytest.mark.parametrize("value", [
    LONG_TENTH, Decimal(LONG_TENTH), "0.7" + "0" * 36 + "1", "0." + "0" * 40 + "1",
    Decimal("1E-999999999"), "0.1" + "0" * 200_000 + "1", "0." + "9" * 200_000])
def test_too_precise_whatever_the_length(value: object) -> None:
    """ROUTE-ADAPT-2: a ratio with a non-zero digit after the sixth place is too precise
    however many digits it has: nothing rounds it (Decimal's default 28-digit context would
    round 0.1000000000000000000000000000001 x 10**6 to 100000), and long texts stay cheap."""
    with pytest.raises(AdaptiveConfigError) as info:
        AdaptiveRouterConfig(min_ratio=0, step_up=value)  # type: ignore[arg-type]
    assert info.value.kind is K.TOO_PRECISE
    with pytest.raises(AdaptiveConfigError) as info:
        AdaptiveRouterConfig.from_env({"SUPERVM_ADAPTIVE_MIN": LONG_TENTH})
    assert info.value.kind is K.TOO_PRECISE


@pytest.mark.parametrize(("value", "ppm"), [
    ("0.1" + "0" * 200_000, 100_000), (Decimal("0E-999999999"), 0), (Decimal("1E+0"), PPM),
    (Decimal("0.5" + "0" * 60), 500_000)])
def test_trailing_zeros_of_any_length_are_exact(value: object, ppm: int) -> None:
    """ROUTE-ADAPT-2: trailing zeros never make a value too precise, however many."""
    config = AdaptiveRouterConfig(min_ratio=0, step_up=value)  # type: ignore[arg-type]
    assert config.ppm("step_up") == ppm


def test_too_precise_in_supervm_toml(tmp_path: Path) -> None:
    """ROUTE-ADAPT-2, ROUTE-ADAPT-5: a [routing] float of 31 decimal places is too precise,
    not rounded."""
    path = tmp_path / "supervm.toml"
    path.write_text(f"[routing]\nmin_ratio = {LONG_TENTH}\n")
    with pytest.raises(AdaptiveConfigError) as info:
        load_config(path, env={})
    assert info.value.kind is K.TOO_PRECISE and str(path) in str(info.value)


def test_from_values_rejects_unknown_fields() -> None:
    """ROUTE-ADAPT-5: a field that is not one of ROUTE-ADAPT-1's is a ConfigError."""
    with pytest.raises(ConfigError, match="unknown key"):
        AdaptiveRouterConfig.from_values({"init": "0.5"})
    with pytest.raises(ConfigError, match="unknown key"):  # keys of mixed types: no TypeError
        AdaptiveRouterConfig.from_values({1: "0.5", "init": "0.5", None: 1})


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: AdaptiveRouterConfig.from_values(None), "values"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_values(range(10**20)), "values"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_values([("min_ratio", "0.1")]), "values"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_values({}, base=5), "base"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_values({}, base={}), "base"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_env(5), "env"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_env(range(10**20)), "env"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_env(["SUPERVM_ADAPTIVE_MIN"]), "env"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_env({1: "x"}), "env"),  # type: ignore[dict-item]
    (lambda: AdaptiveRouterConfig.from_env({1: "x", "A": "y"}), "env"),  # type: ignore[dict-item]
    (lambda: AdaptiveRouterConfig.from_env({}, base=5), "base"),  # type: ignore[arg-type]
    (lambda: AdaptiveRouterConfig.from_env({}, base=0), "base"),  # type: ignore[arg-type]
])
def test_api_misuse_is_an_invalid_argument(call: Any, argument: str) -> None:
    """ROUTE-ADAPT-6: values or env not a mapping (with text names), or base not a
    configuration, is an InvalidArgumentError naming the argument, raised before anything is
    read from it (range(10**20) is never materialised); a falsy base is not "no base"."""
    with pytest.raises(InvalidArgumentError) as info:
        call()
    assert info.value.argument == argument
    assert AdaptiveRouterConfig.from_env({}, base=None) == AdaptiveRouterConfig()


def test_from_env_reads_every_variable() -> None:
    """ROUTE-ADAPT-4: every variable replaces its field of base; others are ignored; the
    seed's example (INIT 0.55, STEP_UP 0.02, STEP_DOWN 0.04)."""
    env = {"SUPERVM_ADAPTIVE_INIT": "0.55", "SUPERVM_ADAPTIVE_STEP_UP": "0.02",
           "SUPERVM_ADAPTIVE_STEP_DOWN": "0.04", "PATH": "/bin", "SUPERVM_PROGRESS": "0"}
    config = AdaptiveRouterConfig.from_env(env)
    assert (config.ppm("initial_fast_ratio"), config.ppm("step_up"),
            config.ppm("step_down")) == (550_000, 20_000, 40_000)
    assert config.ppm("min_ratio") == 100_000
    every = {"SUPERVM_ADAPTIVE_INIT": "0.5", "SUPERVM_ADAPTIVE_MIN": "0.2",
             "SUPERVM_ADAPTIVE_MAX": "0.8", "SUPERVM_ADAPTIVE_STEP_UP": "0.01",
             "SUPERVM_ADAPTIVE_STEP_DOWN": "0.02", "SUPERVM_ADAPTIVE_CONFLICT_LOW": "0.03",
             "SUPERVM_ADAPTIVE_CONFLICT_HIGH": "0.3", "SUPERVM_ADAPTIVE_SUCCESS_LOW": "0.9",
             "SUPERVM_ADAPTIVE_UPDATE_EVERY": "7"}
    assert AdaptiveRouterConfig.from_env(every).to_env() == every
    base = AdaptiveRouterConfig(update_every=3)
    assert AdaptiveRouterConfig.from_env({"SUPERVM_ADAPTIVE_MIN": "0"}, base).update_every == 3


def test_from_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """ROUTE-ADAPT-4: without env, os.environ is read."""
    monkeypatch.setenv("SUPERVM_ADAPTIVE_UPDATE_EVERY", "9")
    assert AdaptiveRouterConfig.from_env().update_every == 9


@pytest.mark.parametrize("variable", list(VARIABLES.values()))
@pytest.mark.parametrize("text", ["x", "", "nan", "inf", "-1", "1e2", "99", "0.0000001"])
def test_every_bad_variable_is_named(variable: str, text: str) -> None:
    """ROUTE-ADAPT-4, ROUTE-ADAPT-6: a malformed, out-of-range or too precise value of each
    variable is a ConfigError whose message names that variable."""
    if variable.endswith("UPDATE_EVERY") and text == "99":
        text = "0"
    with pytest.raises(ConfigError) as info:
        AdaptiveRouterConfig.from_env({variable: text})
    assert variable in str(info.value)
    assert isinstance(info.value, AdaptiveConfigError) and info.value.variables == (variable,)


def test_unknown_adaptive_variable_is_an_error() -> None:
    """ROUTE-ADAPT-4, ROUTE-ADAPT-6: a misspelt SUPERVM_ADAPTIVE_* variable is an error."""
    with pytest.raises(AdaptiveConfigError) as info:
        AdaptiveRouterConfig.from_env({"SUPERVM_ADAPTIVE_STEPUP": "0.1",
                                       "SUPERVM_ADAPTIVE_INIT": "x"})
    assert info.value.kind is K.UNKNOWN_VARIABLE
    assert info.value.variables == ("SUPERVM_ADAPTIVE_STEPUP",)
    assert "SUPERVM_ADAPTIVE_STEPUP" in str(info.value)


@given(st.lists(st.integers(0, 1_000_000), min_size=8, max_size=8),
       st.integers(1, 2**32 - 1))
def test_canonical_text_round_trips(ppms: list[int], update_every: int) -> None:
    """ROUTE-ADAPT-1, ROUTE-ADAPT-4: to_env/from_env round-trip for any consistent values;
    ppm_text is the shortest decimal."""
    ppms[1], ppms[0], ppms[2] = sorted(ppms[:3])
    ppms[5], ppms[6] = sorted(ppms[5:7])
    values: dict[str, object] = {name: ppm_text(p) for name, p in zip(RATIO_FIELDS, ppms)}
    config = AdaptiveRouterConfig.from_values({**values, "update_every": update_every})
    assert [config.ppm(n) for n in RATIO_FIELDS] == ppms
    assert AdaptiveRouterConfig.from_env(config.to_env()) == config
    for text in config.to_env().values():
        assert not text.endswith(".") and (text == "0" or not text.endswith("0")
                                           or "." not in text)


# --- supervm.toml [routing] (ROUTE-ADAPT-5) --------------------------------------------------

ROUTING = """[routing]
initial_fast_ratio = 0.55
min_ratio = 0
max_ratio = 1
step_up = 0.02
update_every = 50
"""


def test_routing_section_and_precedence(tmp_path: Path) -> None:
    """ROUTE-ADAPT-5, RT-CONFIG-1: [routing] sets the fields (floats read exactly, 0 and 1 as
    integers); the environment overrides the file, the file the defaults."""
    path = tmp_path / "supervm.toml"
    path.write_text(ROUTING)
    config = load_config(path, env={})
    assert config.routing == AdaptiveRouterConfig.from_values(
        {"initial_fast_ratio": "0.55", "min_ratio": 0, "max_ratio": 1, "step_up": "0.02",
         "update_every": 50})
    env = {"SUPERVM_ADAPTIVE_STEP_UP": "0.03", "SUPERVM_ADAPTIVE_MIN": "0.2"}
    layered = load_config(path, env=env).routing
    assert (layered.ppm("step_up"), layered.ppm("min_ratio"),
            layered.ppm("initial_fast_ratio"), layered.update_every) == (30_000, 200_000,
                                                                          550_000, 50)
    assert load_config(cwd=tmp_path, env=env).routing == layered
    # No file: the environment applies to the defaults.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_config(cwd=empty, env={}).routing == AdaptiveRouterConfig()
    assert load_config(cwd=empty, env=env).routing == AdaptiveRouterConfig.from_env(env)
    assert Config().routing == AdaptiveRouterConfig()
    # A precise literal is read as written, not through a binary float.
    path.write_text("[routing]\nstep_up = 0.1000000000000000001\n")
    with pytest.raises(AdaptiveConfigError) as info:
        load_config(path, env={})
    assert info.value.kind is K.TOO_PRECISE and str(path) in str(info.value)


@pytest.mark.parametrize(("text", "fragment"), [
    ("[routing]\ninit = 0.5\n", "unknown key routing.init"),
    ("[routing]\nstep_up = '0.5'\n", "routing.step_up must be a decimal number"),
    ("[routing]\nstep_up = true\n", "routing.step_up must be"),
    ("[routing]\nstep_up = 1.5\n", "step_up (SUPERVM_ADAPTIVE_STEP_UP)"),
    ("[routing]\nstep_up = inf\n", "step_up (SUPERVM_ADAPTIVE_STEP_UP)"),
    ("[routing]\nstep_up = nan\n", "step_up (SUPERVM_ADAPTIVE_STEP_UP)"),
    ("[routing]\nupdate_every = 1.0\n", "routing.update_every must be an integer"),
    ("[routing]\nupdate_every = 0\n", "update_every (SUPERVM_ADAPTIVE_UPDATE_EVERY)"),
    ("[routing]\nmin_ratio = 0.8\n", "min_ratio (SUPERVM_ADAPTIVE_MIN) must be at most"),
    ("[routing]\nstep_up = { a = 1 }\n", "routing.step_up must be"),
    ("routing = 3\n", "[routing] must be a table"),
])
def test_bad_routing_section(tmp_path: Path, text: str, fragment: str) -> None:
    """ROUTE-ADAPT-5, RT-CONFIG-1: a bad [routing] is a ConfigError naming the file and key,
    whatever the environment."""
    path = tmp_path / "supervm.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={"SUPERVM_ADAPTIVE_MIN": "0"})
    assert fragment in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_environment_fails_load_config(tmp_path: Path) -> None:
    """ROUTE-ADAPT-5: the environment is checked with the file, and an environment value
    inconsistent with the file's is an error naming both."""
    path = tmp_path / "supervm.toml"
    path.write_text("[routing]\ninitial_fast_ratio = 0.3\n")
    with pytest.raises(AdaptiveConfigError) as info:
        load_config(path, env={"SUPERVM_ADAPTIVE_MIN": "0.4"})
    assert info.value.variables == ("SUPERVM_ADAPTIVE_MIN", "SUPERVM_ADAPTIVE_INIT")
    with pytest.raises(AdaptiveConfigError):
        load_config(cwd=tmp_path / "nowhere", env={"SUPERVM_ADAPTIVE_UPDATE_EVERY": "x"})


def test_float_in_another_section_is_still_reported_as_written(tmp_path: Path) -> None:
    """RT-CONFIG-1: floats are parsed exactly for [routing]; elsewhere a float is still a
    ConfigError showing the value as written."""
    path = tmp_path / "supervm.toml"
    path.write_text("[runtime]\ndefault_gas_limit = 1.50\n")
    with pytest.raises(ConfigError, match=r"got 1\.50$"):
        load_config(path, env={})
