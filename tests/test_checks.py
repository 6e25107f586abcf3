"""wtinit_lib._checks: every argument check of the package, one by one.

For each check: a happy path (the value comes back in the form the caller uses: a float, an int,
a tuple), a value of the wrong *type* (``TypeError``) and a value of the right type out of range
(``ValueError``). A check that has no such path says why in ``NO_TYPE_ERROR`` / ``NO_VALUE_ERROR``,
and ``test_every_check_is_covered`` keeps the table in step with ``_checks.__all__``. Every
message names the argument in backticks and shows what was received (Keras's style).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import _checks as c

# --- happy paths: (check, args, kwargs, expected result) ------------------------------------------

HAPPY = [
    (c.check_positive, ("x", 2), {}, 2.0),
    (c.check_positive, ("x", np.float32(0.5)), {}, 0.5),
    (c.check_positive, ("x", 0), {"allow_zero": True}, 0.0),
    (c.check_finite, ("x", -3), {}, -3.0),
    (c.check_in_interval, ("f", 0.25, 0.0, 1.0), {}, 0.25),
    (c.check_closed_interval, ("c", np.float64(-1.0), -1.0, 1.0), {}, -1.0),
    (c.check_int, ("n", 3), {}, 3),
    (c.check_int, ("n", np.int64(0), 0), {}, 0),
    (c.check_bool, ("b", True), {}, True),
    (c.check_bool, ("b", np.bool_(False)), {}, False),
    (c.check_choice, ("mode", "fan_in", ("fan_in", "fan_out")), {}, "fan_in"),
    (c.check_optional_str, ("title", "t"), {}, "t"),
    (c.check_optional_str, ("title", None), {}, None),
    (c.check_float_dtype, (np.float32,), {}, np.dtype(np.float32)),
    (c.check_float_dtype, ("float64",), {}, np.dtype(np.float64)),
    (c.check_shape, (3,), {}, (3,)),
    (c.check_shape, ([2, np.int64(5)],), {}, (2, 5)),
    (c.check_layer_sizes, ([2, 10, 1],), {}, (2, 10, 1)),
    (c.check_layer_sizes, ((np.int64(4), 3),), {}, (4, 3)),
    (c.check_mapping, ("curves", {"a": [1]}), {}, {"a": [1]}),
    (c.check_range, ("range", None), {}, None),
    (c.check_range, ("range", (-1, 2)), {}, (-1.0, 2.0)),
    (c.check_seed, ("seed", None), {}, None),
    (c.check_seed, ("seed", np.int64(7)), {}, 7),
    (c.check_same_shapes, (("a", "b"), [np.ones((2, 3))], [np.zeros((2, 3))]), {}, None),
]


@pytest.mark.parametrize(
    "check, args, kwargs, expected", HAPPY, ids=[case[0].__name__ for case in HAPPY]
)
def test_a_valid_value_comes_back_in_the_form_the_caller_uses(check, args, kwargs, expected):
    result = check(*args, **kwargs)
    assert result == expected
    assert type(result) is type(expected)  # a float, not an np.float32; an int, not np.int64
    if isinstance(result, tuple):
        assert all(type(v) is type(e) for v, e in zip(result, expected))


def test_check_per_layer_broadcasts_one_number_and_copies_a_list():
    np.testing.assert_array_equal(c.check_per_layer("v", 0.5, 3), [0.5, 0.5, 0.5])
    values = np.array([1.0, 0.0, 2.0])
    result = c.check_per_layer("v", values, 3)
    assert result.dtype == np.float64 and result.shape == (3,)
    np.testing.assert_array_equal(result, values)
    result[0] = 9.0
    assert values[0] == 1.0  # a copy: the caller's list is not tied to the result
    np.testing.assert_array_equal(c.check_per_layer("v", [1, np.float32(2), 3], 3), [1, 2, 3])


def test_check_tensor_list_returns_arrays_of_the_requested_dtype():
    tensors = c.check_tensor_list("grads", [[1, 2], np.ones((2, 2), dtype=np.float32)])
    assert [t.shape for t in tensors] == [(2,), (2, 2)]
    assert all(isinstance(t, np.ndarray) for t in tensors)
    assert tensors[1].dtype == np.float32  # no dtype given: kept
    as64 = c.check_tensor_list("grads", (np.ones(2, dtype=np.float32),), np.float64)
    assert as64[0].dtype == np.float64


def test_as_rng_passes_a_generator_through_and_seeds_the_rest():
    g = np.random.default_rng(0)
    assert c.as_rng(g) is g
    assert isinstance(c.as_rng(None), np.random.Generator)
    assert c.as_rng(3).random() == np.random.default_rng(3).random()
    assert c.as_rng(np.int64(3)).random() == np.random.default_rng(3).random()
    assert c.as_rng(None).random() != c.as_rng(None).random()  # None: fresh entropy


# --- wrong type: TypeError ------------------------------------------------------------------------

TYPE_ERRORS = [
    (c.check_positive, ("x", "1"), {}, r"`x` must be a positive number. Received: x='1'"),
    (c.check_positive, ("x", True), {}, r"`x`.*x=True"),
    (c.check_positive, ("x", None), {"allow_zero": True}, r"`x` must be a non-negative.*None"),
    (c.check_finite, ("x", "a"), {}, r"`x` must be a finite number. Received: x='a'"),
    (c.check_in_interval, ("f", "0.5", 0, 1), {}, r"`f` must be a number in \(0, 1\).*'0.5'"),
    (c.check_in_interval, ("f", False, 0, 1), {}, r"`f`.*f=False"),
    (c.check_closed_interval, ("c", "1", -1, 1), {}, r"`c` must be a number in \[-1, 1\].*'1'"),
    (c.check_int, ("n", 2.0), {}, r"`n` must be an int >= 1. Received: n=2.0"),
    (c.check_int, ("n", True), {}, r"`n`.*n=True"),
    (c.check_bool, ("b", "yes"), {}, r"`b` must be True or False. Received: b='yes'"),
    (c.check_bool, ("b", 1), {}, r"`b`.*b=1"),
    (c.check_optional_str, ("title", 3), {}, r"`title` must be a str or None. Received: title=3"),
    (c.check_float_dtype, (np.int32,), {}, r"`dtype` must be a floating numpy dtype.*int32"),
    (c.check_float_dtype, ("not a dtype",), {}, r"`dtype`.*'not a dtype'"),
    (c.check_shape, ((),), {}, r"`shape` must be a non-empty tuple of positive ints"),
    (c.check_shape, ("3x3",), {}, r"`shape`.*'3x3'"),
    (c.check_shape, ((3, 2.5),), {}, r"`shape` must contain only ints.*2\.5"),
    (c.check_layer_sizes, ("21",), {}, r"`layer_sizes` must be a list of positive ints.*'21'"),
    (c.check_layer_sizes, ([2, 2.5, 1],), {}, r"`layer_sizes` must contain only ints.*2\.5"),
    (c.check_layer_sizes, ([2, True],), {}, r"`layer_sizes` must contain only ints"),
    (c.check_per_layer, ("v", [1, "a", 2], 3), {}, r"`v` must contain only numbers.*'a'"),
    (c.check_per_layer, ("v", [True, 1, 2], 3), {}, r"`v` must contain only numbers"),
    (c.check_tensor_list, ("grads", np.ones(3)), {}, r"`grads`.*list of arrays.*ndarray"),
    (c.check_tensor_list, ("grads", "ab"), {}, r"`grads`.*str"),
    (c.check_tensor_list, ("grads", 5), {}, r"`grads`.*int"),
    (c.check_mapping, ("nets", [1, 2]), {}, r"`nets` must be a non-empty dict.*\[1, 2\]"),
    (c.check_seed, ("seed", 1.5), {}, r"`seed` must be a non-negative int or None.*1\.5"),
    (c.check_seed, ("seed", "1"), {}, r"`seed`.*'1'"),
    (c.as_rng, ("7",), {}, r"`rng` must be a numpy Generator, an int seed or None.*'7'"),
    (c.as_rng, (np.random.RandomState(0),), {}, r"`rng`.*RandomState"),
    (c.as_rng, (1.5,), {"name": "seed"}, r"`seed`.*float"),
    # Pre-existing, kept by the restructure: an empty list or dict is reported as a TypeError too
    # (the message asks for a *non-empty* list/dict of the right kind).
    (c.check_tensor_list, ("grads", []), {}, r"`grads` must be a non-empty list"),
    (c.check_mapping, ("curves", {}), {}, r"`curves` must be a non-empty dict"),
]


@pytest.mark.parametrize(
    "check, args, kwargs, match", TYPE_ERRORS, ids=[case[0].__name__ for case in TYPE_ERRORS]
)
def test_a_value_of_the_wrong_type_is_a_type_error(check, args, kwargs, match):
    with pytest.raises(TypeError, match=match):
        check(*args, **kwargs)


# --- right type, out of range: ValueError ---------------------------------------------------------

VALUE_ERRORS = [
    (c.check_positive, ("x", 0), {}, r"`x` must be a positive number. Received: x=0"),
    (c.check_positive, ("x", -1.5), {}, r"`x`.*x=-1.5"),
    (c.check_positive, ("x", math.nan), {}, r"`x`.*nan"),
    (c.check_positive, ("x", math.inf), {}, r"`x`.*inf"),
    (c.check_positive, ("x", -1), {"allow_zero": True}, r"`x` must be a non-negative number"),
    (c.check_finite, ("x", math.inf), {}, r"`x` must be a finite number. Received: x=inf"),
    (c.check_finite, ("x", math.nan), {}, r"`x`.*nan"),
    (c.check_in_interval, ("f", 1.0, 0, 1), {}, r"`f` must be a number in \(0, 1\).*f=1.0"),
    (c.check_in_interval, ("f", 0, 0, 1), {}, r"`f`.*f=0"),
    (c.check_in_interval, ("f", math.nan, 0, 1), {}, r"`f`.*nan"),
    (c.check_closed_interval, ("c", 1.2, -1, 1), {}, r"`c` must be a number in \[-1, 1\].*c=1.2"),
    (c.check_closed_interval, ("c", math.nan, -1, 1), {}, r"`c`.*nan"),
    (c.check_int, ("n", 0), {}, r"`n` must be an int >= 1. Received: n=0"),
    (c.check_int, ("n", 1, 2), {}, r"`n` must be an int >= 2. Received: n=1"),
    (c.check_choice, ("mode", "fan", ("fan_in", "fan_out")), {}, r"one of 'fan_in', 'fan_out'"),
    # A non-string is never one of the names: also a ValueError, as before the restructure.
    (c.check_choice, ("mode", 3, ("fan_in",)), {}, r"`mode`.*Received: mode=3"),
    (c.check_shape, ((3, 0),), {}, r"`shape` must contain only positive dimensions.*\(3, 0\)"),
    (c.check_shape, (-4,), {}, r"`shape`.*\(-4,\)"),
    (c.check_layer_sizes, ([2],), {}, r"`layer_sizes` must hold at least two positive.*\[2\]"),
    (c.check_layer_sizes, ([],), {}, r"`layer_sizes`.*\[\]"),
    (c.check_layer_sizes, ([2, 0, 1],), {}, r"`layer_sizes`.*\[2, 0, 1\]"),
    (c.check_per_layer, ("v", [1, 2], 3), {}, r"`v`.*a list of 3 of them.*\[1, 2\]"),
    (c.check_per_layer, ("v", [[1, 2, 3]], 3), {}, r"`v`.*one per layer"),
    (c.check_per_layer, ("v", -0.1, 3), {}, r"`v` must contain only non-negative finite.*-0.1"),
    (c.check_per_layer, ("v", [1, math.inf, 2], 3), {}, r"`v`.*non-negative finite"),
    (
        c.check_same_shapes,
        (("a", "b"), [np.ones(3)], [np.ones(4)]),
        {},
        r"`a` and `b` must hold arrays of the same shapes.*\(3,\).*\(4,\)",
    ),
    (c.check_same_shapes, (("a", "b"), [np.ones(3)], [np.ones(3)] * 2), {}, r"same shapes"),
    (c.check_range, ("range", (1, 0)), {}, r"`range` must be None or a pair.*\(1, 0\)"),
    (c.check_range, ("range", (0, math.inf)), {}, r"`range`.*inf"),
    (c.check_range, ("range", (0,)), {}, r"`range`.*\(0,\)"),
    (
        c.check_seed,
        ("seed", -1),
        {},
        r"`seed` must be a non-negative int or None. Received: seed=-1",
    ),
    (c.as_rng, (-1,), {}, r"`rng` must be a non-negative int or None. Received: rng=-1"),
]


@pytest.mark.parametrize(
    "check, args, kwargs, match", VALUE_ERRORS, ids=[case[0].__name__ for case in VALUE_ERRORS]
)
def test_a_value_of_the_right_type_out_of_range_is_a_value_error(check, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        check(*args, **kwargs)


# --- coverage of the table ------------------------------------------------------------------------

#: Checks with no TypeError path, and why.
NO_TYPE_ERROR = {
    "check_choice": "any value that is not one of the names (a non-string too) is a ValueError",
    "check_range": "anything that is not a pair (low, high) of finite numbers is a ValueError",
    "check_same_shapes": "it receives lists already checked by check_tensor_list",
}
#: Checks with no ValueError path, and why.
NO_VALUE_ERROR = {
    "check_bool": "True and False are both valid",
    "check_optional_str": "every str is a valid title",
    "check_float_dtype": "every floating dtype is valid; anything else is of the wrong type",
    "check_tensor_list": "any non-empty list of array-likes is valid",
    "check_mapping": "any non-empty mapping is valid",
}
#: Checks whose happy path has its own test above (their result is an array or a Generator).
OWN_HAPPY_TEST = {"check_per_layer", "check_tensor_list", "as_rng"}


def test_every_check_is_covered():
    names = set(c.__all__)
    happy = {case[0].__name__ for case in HAPPY} | OWN_HAPPY_TEST
    type_errors = {case[0].__name__ for case in TYPE_ERRORS} | set(NO_TYPE_ERROR)
    value_errors = {case[0].__name__ for case in VALUE_ERRORS} | set(NO_VALUE_ERROR)
    assert names - happy == set(), "checks without a happy path"
    assert names - type_errors == set(), "checks without a TypeError case or a reason"
    assert names - value_errors == set(), "checks without a ValueError case or a reason"
    # A reason is only listed for a path the check really does not have.
    assert not set(NO_TYPE_ERROR) & {case[0].__name__ for case in TYPE_ERRORS}
    assert not set(NO_VALUE_ERROR) & {case[0].__name__ for case in VALUE_ERRORS}
    assert {getattr(c, name).__module__ for name in names} == {"wtinit_lib._checks"}
