"""The surrogate's description of architectures: physical estimates of a da4ml design, for a whole batch at once.

What sets the cost of a distributed-arithmetic layer is the number of nonzero digits of its
kernel in canonical signed-digit (CSD) form, the representation da4ml decomposes constants
into: every digit is one shifted input entering an adder tree. For the random Glorot-normal,
magnitude-pruned, quantized weights the ground truth is computed on
(:func:`snac_pack.hardware.network.random_quantized_network`), the expected number of digits
per weight is a function of two numbers only: the weights' standard deviation in units of the
least significant bit, ``√(2 / (fan_in + units)) · 2^(weight_bits − 1 − weight_integer_bits)``,
and the sparsity. :func:`expected_csd_digits` tabulates it once (saturation at the format's
range is neglected: Glorot weights stay well inside ±1).

Per layer this gives, besides the raw shape and bit widths:

- ``csd_digits``: expected nonzero digits of the kernel (adder inputs) that da4ml builds: those
  of weights from neurons that vary into neurons that feed the outputs (a neuron whose inputs
  are all pruned is a constant, one whose outputs are all pruned is removed; at the spaces'
  sparsities of up to 0.8 that is up to a fifth of the digits);
- ``digit_bits``: digits × input width, the expected adder bits (≈ LUTs, da4ml's cost model);
- ``adder_depth``: ``⌈log2(fan_in · digits per weight + 1)⌉`` adder levels for a column's
  digits and the bias, plus the quantizer (1 level; 2 for the signed, saturating head);
- ``rounded_bits``: the adder bits of the layer's quantizer, which rounds (ties to even) and
  saturates every result to the activation format. It costs about two adders at the result's
  width per varying output, whatever the layer's fan-in: in a pointwise layer of 3 features per
  token it is twice the layer's own adder graph. With known weights it is da4ml's count over
  the results' intervals (:func:`snac_pack.hardware.operation_cost.quantizer_adder_bits`);
  otherwise the same count on the interval a Glorot-normal kernel gives in expectation, times
  the expected neurons built (:func:`_expected_quantizer_bits`).

and for the network: the summed depth, the pipeline stages it needs at the target's levels
per stage (:func:`snac_pack.hardware.exact.latency_cutoff_for_clock`) and ``register_bits``,
an estimate of da4ml's pipeline registers: the input register (with known weights, only the
inputs that reach a live output: da4ml registers no other), the output register, and the
bits alive across stage boundaries, Σ digits · (input bits + weight bits) / levels per stage
(every adder output lives about one level; a register cut every ``levels`` levels catches
``1 / levels`` of them). The cut positions themselves, and with them the registers, move with
the weights (see ``docs/benchmarks/surrogate.md``): this estimate is the smooth part.

Where the weights are known (a trained trial, a compression iteration, a firmware model) the
expectation is not needed: :func:`weight_statistics` counts, per layer, the kernel's nonzero CSD
digits, its nonzero weights, the digits of its busiest output column and the digits' adder bits
(over the weights da4ml builds adders for: constants and dead neurons found by interval
arithmetic, as da4ml finds them; each digit at the width of its input's interval), and
:func:`realised_matrix` puts those counts in place of the expected ones (same columns; the
adder depth is then that of the busiest column, which sets the pipeline, and a layer's input
width the average interval width its digits read). The surrogate keeps
one regressor per figure for each description (:class:`~snac_pack.hardware.surrogate.Surrogate`).

Networks over tokens are described the same way, one entry per layer with weights: its kernel
``(fan_in, units)`` and ``applications``, the times da4ml builds its adders (every token of a
``pointwise`` layer, every position of a ``conv1d``, every feature of a ``token_mix``; 1 for
``dense``); digits, adder bits and registers count every application, the adder depth one. A
pool adds ``pool_adder_bits`` (its sums: ``size − 1`` adders per output, each as wide as its
wider operand, so a level wider than the one before; with known weights, over the values that
vary into live outputs, summed pairwise from their intervals as da4ml's reduction sums them: of
the features the table's random pooled designs average, a median 17 % are constants, over 37 %
in a quarter of them) and ``⌈log2 size⌉`` adder levels, and its quantizer's bits to the
``rounded_bits`` of the layer before it; a flatten adds nothing. For an MLP these columns are 1 and 0
and every other column is what it was.

Everything is computed with numpy over the batch; only reading the layers off the
:class:`Architecture` objects is a Python loop.
"""

from __future__ import annotations

import functools
import heapq
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from snac_pack.hardware.architecture import Architecture, LayerSpec, has_weights, quantizes
from snac_pack.hardware.exact import latency_cutoff_for_clock
from snac_pack.hardware.fixed_point import signed_digit_parts
from snac_pack.hardware.operation_cost import adder_bits, quantizer_adder_bits

if TYPE_CHECKING:
    from snac_pack.hardware.network import NetworkWeights, ValueInterval

#: Per-layer columns of :func:`architecture_matrix` (each repeated for ``layer0`` … ``layer{max_layers-1}``).
LAYER_COLUMNS = (
    "units",
    "fan_in",
    "weight_bits",
    "input_bits",
    "activation_bits",
    "sparsity",
    "adder_bits",
    "csd_digits",
    "digit_bits",
    "adder_depth",
    "applications",
    "rounded_bits",
)
#: Network columns of :func:`architecture_matrix`, after the per-layer ones.
NETWORK_COLUMNS = (
    "depth",
    "n_inputs",
    "input_bits",
    "adder_bits",
    "unpruned_weights",
    "output_bits",
    "csd_digits",
    "digit_bits",
    "adder_depth",
    "pipeline_stages",
    "register_bits",
    "tokens",
    "pool_adder_bits",
)

#: Per-layer counts of :func:`weight_statistics`, in this order.
WEIGHT_STATISTICS = (
    "csd_digits", "nonzero_weights", "busiest_column_digits", "digit_bits", "pool_adder_bits", "input_register_bits",
    "rounded_bits",
)
#: Version of what :func:`weight_statistics` counts; rows record it. 2: only weights da4ml builds
#: adders for are counted (not those of constant or dead neurons). 3: constants by interval
#: arithmetic (as da4ml finds them), and the digits' adder bits at their inputs' interval widths.
#: 4: the adder bits of the pools after each layer, over the values they sum that vary.
#: 5: the bits of the network's inputs that reach a live output (da4ml registers no other input).
#: 6: intervals bounded over the kernels' signed digits, as da4ml's adder graphs bound them
#: (a ReLU with only negative weights whose digits have both signs varies, and is built).
#: 7: the pools' adder bits as da4ml's reduction widens its partial sums; the bits of the values
#: each quantizer rounds (a neuron's or a pool's result, at its interval's width).
STATISTICS_VERSION = 7

# Grid of expected_csd_digits: log2 of the weights' standard deviation in LSBs, and sparsity.
_LOG2_SCALE_GRID = np.arange(-6.0, 8.0 + 1e-9, 0.125)
_SPARSITY_GRID = np.linspace(0.0, 0.99, 34)


def matrix_columns(max_layers: int) -> list[str]:
    """Column names of :func:`architecture_matrix`."""
    per_layer = [f"layer{index}_{name}" for index in range(max_layers) for name in LAYER_COLUMNS]
    return [*per_layer, *NETWORK_COLUMNS]


def column_index_of_layer(layer: int, name: str) -> int:
    """Index of a per-layer column (e.g. ``units`` of layer 2) in :func:`architecture_matrix`."""
    return layer * len(LAYER_COLUMNS) + LAYER_COLUMNS.index(name)


def column_index(name: str, max_layers: int) -> int:
    """Index of a network column (e.g. ``digit_bits``) in :func:`architecture_matrix`."""
    return max_layers * len(LAYER_COLUMNS) + NETWORK_COLUMNS.index(name)


def csd_digit_count(values: np.ndarray) -> np.ndarray:
    """Nonzero digits of integers in canonical signed-digit (non-adjacent) form.

    Args:
        values: integers (any sign).

    Returns:
        The digit counts, e.g. 1 for 1, 2 and 4, 2 for 3 (= 4 − 1) and 5, 2 for 7 (= 8 − 1).
    """
    positive, negative = signed_digit_parts(values)
    return (np.bitwise_count(positive) + np.bitwise_count(negative)).astype(np.float64)


@functools.cache
def _level_tables() -> tuple[np.ndarray, np.ndarray]:
    """Tables on the (log2 scale, sparsity) grid, built once per process.

    Returns:
        The expected CSD digits per weight (zeros included), and the share of nonzero weights
        whose digits all have the weight's sign.
    """
    from scipy.special import ndtr, ndtri  # lazy: keeps `import snac_pack.hardware` light

    threshold = ndtri((1.0 + _SPARSITY_GRID) / 2.0)  # magnitude pruning threshold, in σ
    digits = np.empty((len(_LOG2_SCALE_GRID), len(_SPARSITY_GRID)))
    single_signed = np.empty_like(digits)
    for row, log2_scale in enumerate(_LOG2_SCALE_GRID):
        scale = 2.0**log2_scale  # σ in LSBs
        levels = np.arange(1, int(np.ceil(7.0 * scale)) + 2)  # to 7 σ
        low, high = (levels - 0.5) / scale, (levels + 0.5) / scale  # rounding bins, in σ
        # Probability that a weight survives pruning and rounds to +level (the same for −level).
        mass = np.clip(ndtr(high)[None, :] - ndtr(np.maximum(low[None, :], threshold[:, None])), 0.0, None)
        digits[row] = 2.0 * mass @ csd_digit_count(levels)
        single_signed[row] = (mass @ (signed_digit_parts(levels)[1] == 0)) / np.maximum(mass.sum(axis=1), 1e-300)
    return digits, single_signed


def _on_grid(table: np.ndarray, log2_scale: np.ndarray, sparsity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear interpolation in a table on the (log2 scale, sparsity) grid, clipped to it; and how far the scale lies above it."""
    step = _LOG2_SCALE_GRID[1] - _LOG2_SCALE_GRID[0]
    log2_scale = np.asarray(log2_scale, dtype=np.float64)
    position = np.clip((log2_scale - _LOG2_SCALE_GRID[0]) / step, 0.0, len(_LOG2_SCALE_GRID) - 1.0)
    row = np.minimum(np.floor(position).astype(np.intp), len(_LOG2_SCALE_GRID) - 2)
    row_weight = position - row
    s_position = np.clip(np.asarray(sparsity, dtype=np.float64), 0.0, _SPARSITY_GRID[-1]) / _SPARSITY_GRID[1]
    column = np.minimum(np.floor(s_position).astype(np.intp), len(_SPARSITY_GRID) - 2)
    column_weight = s_position - column

    def at(rows: np.ndarray) -> np.ndarray:
        return table[rows, column] * (1.0 - column_weight) + table[rows, column + 1] * column_weight

    return at(row) * (1.0 - row_weight) + at(row + 1) * row_weight, np.maximum(log2_scale - _LOG2_SCALE_GRID[-1], 0.0)


def expected_csd_digits(log2_scale: np.ndarray, sparsity: np.ndarray) -> np.ndarray:
    """Expected nonzero CSD digits per weight of a pruned, quantized Glorot-normal kernel (zeros included).

    Bilinear interpolation in a table built on first use. Above the table's largest scale
    (2^8 LSBs, wider than the 8-bit weights of the jet space need) every doubling of the scale
    adds the digits the last doubling added (a third of a digit: the CSD density).

    Args:
        log2_scale: log2 of the weights' standard deviation in least significant bits.
        sparsity: fraction pruned (the smallest magnitudes), in [0, 1).

    Returns:
        Expected digits per weight, with the inputs' broadcast shape.
    """
    table = _level_tables()[0]
    digits, beyond = _on_grid(table, log2_scale, sparsity)
    top = np.full(np.shape(beyond), _LOG2_SCALE_GRID[-1])
    last_doubling = _on_grid(table, top, sparsity)[0] - _on_grid(table, top - 1.0, sparsity)[0]
    return np.maximum(digits + beyond * last_doubling, 0.0)


def single_signed_share(log2_scale: np.ndarray, sparsity: np.ndarray) -> np.ndarray:
    """Share of a random kernel's nonzero weights whose CSD digits all have the weight's sign (5 = 4 + 1; not 3 = 4 − 1).

    A negative such weight adds nothing positive to da4ml's bound of a neuron (see
    :func:`snac_pack.hardware.network.value_intervals`). Table as :func:`expected_csd_digits`'s;
    above its largest scale (2^8 LSBs, where it is about a fifth), its last value.
    """
    return _on_grid(_level_tables()[1], log2_scale, sparsity)[0]


#: Values :func:`_layer_values` reads off each layer with weights, and off each network.
_LAYER_VALUES = ("units", "fan_in", "applications", "weight_bits", "weight_integer_bits", "activation_bits",
                 "sparsity", "linear", "input_bits", "activation_integer_bits", "input_integer_bits", "input_signed")
_NETWORK_VALUES = ("n_inputs", "input_bits", "depth", "clock", "tokens", "pool_adder_bits", "pool_depth")


def _pool_work(arch: Architecture) -> tuple[float, float]:
    """Adder bits and adder levels of a network's pools: each output sums ``size`` inputs of the format it reads.

    As :func:`_pool_adder_bits` counts a reduction, on the format's full range: the ``size / 2^j``
    adders of level ``j`` read sums of ``2^(j−1)`` inputs, a bit wider per level.
    """
    adder_bits = levels = 0.0
    for layer, (shape_in, _), read in zip(arch.layers, arch.layer_io_shapes(), arch.layer_input_formats(), strict=True):
        if layer.kind == "pool":
            tokens, features = shape_in
            size = tokens if layer.size is None else layer.size
            n_levels = int(np.ceil(np.log2(size)))
            per_output = sum(size / 2**level * (read.bits + level - 1) for level in range(1, n_levels + 1))
            adder_bits += tokens // size * features * per_output
            levels += n_levels
    return adder_bits, levels


#: The attributes of an MLP's dense layer :func:`_layer_values` reads, in C (``map``), for the search's batches.
_DENSE_NUMBERS = operator.attrgetter("units", "weight_bits", "weight_integer_bits", "activation_bits", "sparsity", "activation_integer_bits")
_ACTIVATION = operator.attrgetter("activation")


def _layer_values(archs: Sequence[Architecture], max_layers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read the batch into arrays: per layer with weights ``(n, max_layers, len(_LAYER_VALUES))``, per network, layer mask.

    MLPs (what the search describes by the thousand each generation) are read attribute by
    attribute in C and chained in numpy (a layer's fan-in and input width are its predecessor's
    units and activation bits); other families layer by layer through the architecture's shapes.
    """
    network = np.zeros((len(archs), len(_NETWORK_VALUES)))
    mlp, dense_numbers, activations = [], [], []
    other_rows: list[tuple[float, ...]] = []
    other = []
    for index, arch in enumerate(archs):
        layers = arch.layers
        if arch.is_mlp:
            mlp.append(index)
            dense_numbers.extend(map(_DENSE_NUMBERS, layers))
            activations.extend(map(_ACTIVATION, layers))
            network[index] = (arch.n_inputs, arch.input_bits, len(layers), arch.target.clock_period_ns, 0.0, 0.0, 0.0)
            continue
        other.append(index)
        weighted = arch.weighted_layers()
        shapes, uses = arch.layer_shapes(), arch.kernel_uses()
        reads = [fmt for fmt, layer in zip(arch.layer_input_formats(), arch.layers, strict=True) if has_weights(layer)]
        pool_bits, pool_levels = _pool_work(arch)
        network[index] = (int(np.prod(arch.input_shape)), arch.input_bits, len(weighted), arch.target.clock_period_ns,
                          arch.tokens or 0, pool_bits, pool_levels)
        other_rows.extend(
            (units, fan_in, applications, layer.weight_bits, layer.weight_integer_bits, layer.activation_bits,
             layer.sparsity, layer.activation == "linear", read.bits, layer.activation_integer_bits, read.integer_bits, read.signed)
            for layer, (fan_in, units), applications, read in zip(weighted, shapes, uses, reads, strict=True)
        )
    depth = network[:, 2].astype(np.intp)
    if len(archs) and depth.max() > max_layers:
        deepest = archs[int(np.argmax(depth))]
        raise ValueError(f"{deepest.describe()} has {depth.max()} layers with weights, more than the surrogate's {max_layers}")
    mask = np.arange(max_layers)[None, :] < depth[:, None]
    layers = np.zeros((len(archs), max_layers, len(_LAYER_VALUES)))
    if mlp:
        units, weight_bits, weight_integer_bits, activation_bits, sparsity, activation_integer_bits = (
            np.array(dense_numbers, dtype=np.float64).T
        )
        first = np.concatenate([[0], np.cumsum(depth[mlp])[:-1]])
        linear = np.array(activations) == "linear"
        # A layer reads its predecessor's activations; the first, the network's signed input.
        fan_in, read, read_integer_bits, read_signed = (np.empty_like(units) for _ in range(4))
        fan_in[1:], read[1:], read_integer_bits[1:], read_signed[1:] = units[:-1], activation_bits[:-1], activation_integer_bits[:-1], linear[:-1]
        fan_in[first], read[first], read_signed[first] = network[mlp, 0], network[mlp, 1], 1.0
        read_integer_bits[first] = [archs[index].input_integer_bits for index in mlp]
        chained = np.stack([units, fan_in, np.ones_like(units), weight_bits, weight_integer_bits, activation_bits, sparsity,
                            linear, read, activation_integer_bits, read_integer_bits, read_signed], axis=1)
        of_mlps = np.zeros((len(mlp), max_layers, len(_LAYER_VALUES)))
        of_mlps[mask[mlp]] = chained
        layers[mlp] = of_mlps
    if other:
        of_others = np.zeros((len(other), max_layers, len(_LAYER_VALUES)))
        of_others[mask[other]] = np.array(other_rows, dtype=np.float64).reshape(-1, len(_LAYER_VALUES))
        layers[other] = of_others
    return layers, network, mask


def _pool_adder_bits(layer: LayerSpec, low: np.ndarray, high: np.ndarray, step: float, live: np.ndarray) -> float:
    """A pool's adder bits: each live output sums its group's varying inputs as da4ml's reduction does.

    ``low`` and ``high`` bound the pool's input ``(tokens, features)`` (on the grid ``step``),
    ``live`` marks its outputs. A constant input (a dead neuron's) is folded, not added. da4ml
    sums a group by repeatedly adding the two narrowest values (its reduction's heap), and an
    adder's width is its wider operand's: the partial sums widen by about a bit per level, so
    summing ``n`` values of ``w`` bits costs about ``(n − 1) w + n`` bits, not ``(n − 1) w``.
    """
    tokens, features = low.shape
    size = tokens if layer.size is None else layer.size
    low = low.reshape(tokens // size, size, features)
    high = high.reshape(tokens // size, size, features)
    live = live.reshape(tokens // size, features)
    bits = 0.0
    for group, feature in zip(*np.nonzero(live), strict=True):
        lows, highs = low[group, :, feature], high[group, :, feature]
        varying = highs > lows
        heap = [(float(np.log2(max(abs(lo), hi + step))), float(lo), float(hi)) for lo, hi in zip(lows[varying], highs[varying], strict=True)]
        heapq.heapify(heap)
        while len(heap) > 1:
            _, low0, high0 = heapq.heappop(heap)
            _, low1, high1 = heapq.heappop(heap)
            bits += float(adder_bits(low0, high0, step, low1, high1, step))
            total_low, total_high = low0 + low1, high0 + high1
            heapq.heappush(heap, (float(np.log2(max(abs(total_low), total_high + step))), total_low, total_high))
    return bits


def _quantizer_bits(rounded: list[tuple[int, LayerSpec, ValueInterval, np.ndarray]], n_rows: int) -> np.ndarray:
    """The adder bits of the quantizers, summed per row of :func:`weight_statistics`, in one pass over every value.

    ``rounded``: per quantizing layer, its row, the layer, its result's interval and which of its
    outputs vary after it and are used (the others are not built).
    """
    if not rounded:
        return np.zeros(n_rows)
    rows, low, high, step, kif = [], [], [], [], []
    for row, layer, (result_low, result_high, result_step), built in rounded:
        n = int(built.sum())
        rows.append(np.full(n, row))
        low.append(result_low[built])
        high.append(result_high[built])
        step.append(np.broadcast_to(result_step, result_low.shape)[built])
        kif.append(np.broadcast_to(np.array(layer.activation_format.kif, dtype=np.float64), (n, 3)))
    kif_columns = np.concatenate(kif)
    bits = quantizer_adder_bits(np.concatenate(low), np.concatenate(high), np.concatenate(step), tuple(kif_columns.T))
    return np.bincount(np.concatenate(rows), weights=bits, minlength=n_rows)


def weight_statistics(arch: Architecture, weights: NetworkWeights) -> np.ndarray:
    """Per-layer counts of a concrete network's quantized kernels (see :data:`WEIGHT_STATISTICS`).

    Only weights da4ml builds adders for are counted, and each at the width da4ml gives its
    input. da4ml bounds every value by interval arithmetic
    (:func:`snac_pack.hardware.network.value_intervals`, each signed digit of a weight bounded
    on its own): a neuron whose interval quantizes to one value (every input reaching it through
    a zero weight, or a ReLU of ReLUs whose weights have only negative digits) is a constant,
    folded into the next layer; a neuron whose nonzero outgoing weights
    reach no live neuron feeds nothing, and its logic is removed; a value that spans part of its
    format needs only the bits of its interval. (In random 4-bit networks of 8-wide ReLU layers
    at 80 % sparsity, a quarter to a half of the neurons after the first layer are constants.)

    A kernel applied several times (each token, position or feature: da4ml builds each
    application's adders) is counted at every application, over the inputs that vary and the
    outputs that are live there. Which inputs reach which outputs follows from the layers' own
    arithmetic (:func:`snac_pack.hardware.layers.apply_layer`) on 0/1 indicators, so every kind
    is read the way the netlist computes it. A pool's sums are counted the same way, over the
    values that vary into outputs that are live, and go to the layer with weights before it
    (the first, for a pool before any). The first layer's row also holds the bits of the network's
    inputs that reach a live output: da4ml's input register holds only those (an input whose
    every path is pruned away gets a zero-width register).

    Args:
        arch: the architecture (its weight formats give the kernels' least significant bits).
        weights: one ``(kernel, bias)`` per layer with weights, on the layers' weight grids.

    Returns:
        Array of shape ``(n layers with weights, 7)``: nonzero CSD digits of the kernel, nonzero
        weights, the most digits of any one output (column at one application), and the digits'
        adder bits (each digit times the bits of its input's interval), over the weights from
        varying inputs to live outputs, summed over the kernel's applications; then the adder
        bits of the pools after the layer; then the used input bits (first row; 0 below it);
        then the adder bits of the quantizers of the layer and of the pools after it.

    Raises:
        ValueError: the weights do not match the architecture's layers.
    """
    from snac_pack.hardware.layers import apply_layer  # lazy: layers imports the architecture module too
    from snac_pack.hardware.network import layer_intervals, layer_weights

    weighted = arch.weighted_layers()
    if len(weights) != len(weighted):
        raise ValueError(f"weights has {len(weights)} layers, the architecture {arch.describe()} {len(weighted)} with weights")
    digit_kernels, nonzero_kernels = [], []
    for layer, (kernel, _) in zip(weighted, weights, strict=True):
        integers = np.rint(np.asarray(kernel, dtype=np.float64) * 2.0**layer.weight_format.fractional_bits)
        digit_kernels.append(csd_digit_count(integers))
        nonzero_kernels.append((integers != 0).astype(np.float64))
    indicators = iter(nonzero_kernels)
    reach = [None if own is None else (next(indicators), np.zeros(np.shape(own[1]))) for own in layer_weights(arch, weights)]
    intervals, results = layer_intervals(arch, weights)

    counts = np.zeros((len(weighted), len(WEIGHT_STATISTICS)))
    live = np.ones(intervals[-1][0].shape)  # every output is used
    position = len(weighted)
    rounded: list[tuple[int, LayerSpec, ValueInterval, np.ndarray]] = []  # costed at once below: numpy's overhead is per call
    for index in range(arch.depth - 1, -1, -1):
        layer, own = arch.layers[index], reach[index]
        low, high, step = intervals[index]
        varying_in = (high > low).astype(np.float64)
        width = np.log2((high - low) / step + 1.0)  # 0 for a constant
        if own is not None:
            position -= 1
            zero_bias = own[1]
            digits = apply_layer(layer, varying_in[None], (digit_kernels[position], zero_bias))[0] * live
            nonzero = apply_layer(layer, varying_in[None], (nonzero_kernels[position], zero_bias))[0] * live
            digit_bits = apply_layer(layer, width[None], (digit_kernels[position], zero_bias))[0] * live
            counts[position, :4] = (digits.sum(), nonzero.sum(), digits.max(initial=0.0), digit_bits.sum())
        elif layer.kind == "pool":
            counts[max(position - 1, 0), 4] += _pool_adder_bits(layer, low, high, step, live)
        if quantizes(layer):
            varies_after = (intervals[index + 1][1] > intervals[index + 1][0]) & (live > 0)  # a constant is folded
            rounded.append((position if own is not None else max(position - 1, 0), layer, results[index], varies_after))
        # Each varying input's reach, one input at a time: live where it reaches a live output.
        basis = np.diag(varying_in.ravel()).reshape(varying_in.size, *varying_in.shape)
        reached = apply_layer(layer, basis, own) > 0
        live = (reached & (live[None] > 0)).reshape(varying_in.size, -1).any(axis=1).reshape(varying_in.shape).astype(np.float64)
    counts[0, 5] = float((live * width).sum())  # the network's inputs: `live` and `width` of layer 0's input
    counts[:, 6] = _quantizer_bits(rounded, len(weighted))
    return counts


def _all_zero_probability(zero_share: np.ndarray, n_weights: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Chance that ``m`` given weights of a kernel of ``n_weights`` with ``zero_share · n_weights`` zeros are all zero.

    Hypergeometric, continued to real counts with log-gamma; 0 where there are fewer zeros than
    ``m`` (a count less than one weight short rounds down, as the product it continues).
    """
    from scipy.special import gammaln  # lazy, as in _level_tables

    zeros = zero_share * n_weights
    spare = zeros - m + 1.0
    log_probability = gammaln(zeros + 1.0) - gammaln(np.maximum(spare, 1e-9)) + gammaln(n_weights - m + 1.0) - gammaln(n_weights + 1.0)
    return np.where(spare > 0.0, np.exp(np.minimum(log_probability, 0.0)), 0.0)


def _expected_quantizer_bits(
    fan_in: np.ndarray, units: np.ndarray, sparsity: np.ndarray, weight_bits: np.ndarray, weight_integer_bits: np.ndarray,
    input_bits: np.ndarray, input_integer_bits: np.ndarray, input_signed: np.ndarray, activation_bits: np.ndarray,
    activation_integer_bits: np.ndarray, linear: np.ndarray, mask: np.ndarray,
) -> np.ndarray:
    """A neuron's expected quantizer bits for random Glorot-normal weights, per layer ``(n, max_layers)``.

    The quantizer's adders follow from the neuron's interval (:func:`quantizer_adder_bits`), which
    da4ml bounds by Σ |w| · the input's largest magnitude (each sign of weight at its own end of
    the input's range; half of that each way for unsigned inputs). After magnitude pruning at
    sparsity ``s`` the kept weights of a Glorot-normal kernel (σ = √(2 / (fan_in + units))) sum to
    ``fan_in · σ · √(2/π) · exp(−z²/2)`` in expectation, ``z`` the half-normal's ``s`` quantile.
    """
    from scipy.special import ndtri  # lazy, as in _level_tables

    sigma = np.sqrt(2.0 / np.where(mask, fan_in + units, 2.0))
    quantile = ndtri((1.0 + np.clip(sparsity, 0.0, 0.999)) / 2.0)
    magnitude_sum = fan_in * sigma * np.sqrt(2.0 / np.pi) * np.exp(-(quantile**2) / 2.0)
    reach = magnitude_sum * 2.0**input_integer_bits * np.where(input_signed > 0, 1.0, 0.5)
    input_step = 2.0 ** -(input_bits - input_integer_bits - input_signed)
    weight_step = 2.0 ** -(weight_bits - weight_integer_bits - 1.0)
    kif = (linear, activation_integer_bits, activation_bits - activation_integer_bits - linear)
    bits = np.zeros_like(fan_in)
    built = mask & (reach > 0)
    bits[built] = quantizer_adder_bits(-reach[built], reach[built], (input_step * weight_step)[built], tuple(part[built] for part in kif))
    return bits


def _expected_built_fraction(
    units: np.ndarray, fan_in: np.ndarray, log2_scale: np.ndarray, sparsity: np.ndarray, mask: np.ndarray, sign_constant: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected share of each layer's kernel that da4ml builds adders for, and of its neurons, for random Glorot-normal weights.

    The expectation of what :func:`weight_statistics` counts. A layer's ``n = fan_in · units``
    weights hold ``k = max(round(sparsity · n), n · P(|w| < LSB/2))`` zeros: magnitude pruning
    zeroes an exact number of them, so the chance that ``m`` given weights are all zero is
    hypergeometric, ``h(m) = k! (n − m)! / ((k − m)! n!)`` (for an 8-wide layer at 80 % sparsity
    about a tenth below the ``z^m`` of independent zeros). A ReLU that reads ReLUs (inputs never
    negative) is also a constant zero when its bias rounds to at most zero and its nonzero
    weights are all negative with only negative CSD digits (da4ml bounds each digit on its own, so
    −3 = 1 − 4 lets the neuron reach above zero): a weight is zero or such with chance
    ``q = z + (1 − z) r / 2`` (``r``: :func:`single_signed_share`), and the neuron a constant with
    chance ``s · (q^m − z^m)``, ``s`` the bias's chance (``sign_constant``; 0 for a layer reading
    signed values). Forward, a neuron varies unless it is a constant:
    ``v_l = 1 − h_l(m) − s_l (q_l^m − z_l^m)`` with ``m = fan_in_l · v_{l−1}``. Backward, a neuron
    is live unless its weights to live, varying neurons are all zero:
    ``live_l = 1 − h_{l+1}(units_{l+1} · live_{l+1} · g_{l+1})``, where
    ``g_l = 1 − s_l q_l^{m−1} r_l / 2`` is the chance that a neuron varies given that one of its
    weights is nonzero. A kernel keeps the share ``v_{l−1} · live_l · g_l`` of its digits, a
    layer the share ``v_l · live_l`` of its neurons (each one quantizer).
    The counts of varying inputs and live neurons enter at their expectation, and the signs as if
    independent (up to 3 % too many digits in 8-wide layers at 75-80 % sparsity).

    Args:
        units, fan_in, log2_scale, sparsity, mask: per layer ``(n, max_layers)``, as in
            :func:`_description` (``log2_scale``: the weights' σ in LSBs, log2).
        sign_constant: per layer, ``s`` above.

    Returns:
        Two arrays ``(n, max_layers)``, digits and neurons; zeros where a network has no layer.
    """
    from scipy.special import erf  # lazy, as in _level_tables

    n_weights = np.maximum(fan_in * units, 1.0)
    # Pruning zeroes round(sparsity · n) weights (as random_quantized_network); rounding may zero more.
    zeros = np.maximum(np.rint(sparsity * n_weights), erf(0.5 / (2.0**log2_scale * np.sqrt(2.0))) * n_weights) * mask
    zero = zeros / n_weights
    single_signed = single_signed_share(log2_scale, sparsity)
    never_positive = zero + (1.0 - zero) * single_signed / 2.0  # zero, or negative without a positive digit
    depth = mask.sum(axis=1)
    varying_inputs = np.ones_like(units)  # of each layer's inputs
    varies = np.ones_like(units)  # each layer's neurons
    varies_given_a_weight = np.ones_like(units)
    for index in range(units.shape[1]):
        reads = fan_in[:, index] * varying_inputs[:, index]
        all_zero = _all_zero_probability(zero[:, index], n_weights[:, index], reads)
        all_negative = np.maximum(never_positive[:, index] ** reads - zero[:, index] ** reads, 0.0)
        varies[:, index] = 1.0 - all_zero - sign_constant[:, index] * all_negative
        varies_given_a_weight[:, index] = (
            1.0 - sign_constant[:, index] * never_positive[:, index] ** np.maximum(reads - 1.0, 0.0) * single_signed[:, index] / 2.0
        )
        if index + 1 < units.shape[1]:
            varying_inputs[:, index + 1] = varies[:, index]
    live = np.ones_like(units)
    for index in range(units.shape[1] - 2, -1, -1):
        following = index + 1
        # A consumer reached through a nonzero weight varies unless its nonzero weights are all negative.
        consumers = units[:, following] * live[:, following] * varies_given_a_weight[:, following]
        dead = _all_zero_probability(zero[:, following], n_weights[:, following], consumers)
        live[:, index] = np.where(following < depth, 1.0 - dead, 1.0)
    return varying_inputs * live * varies_given_a_weight * mask, varies * live * mask


def _sign_constant(linear: np.ndarray, weight_bits: np.ndarray, weight_integer_bits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per layer, the chance that a random draw's neuron with only negative weights is a constant (see :func:`_expected_built_fraction`).

    Nonzero for a ReLU reading ReLUs (pools and flattens between them keep the sign; the
    network's inputs are signed): the chance that its Glorot draw's bias rounds to at most zero.
    """
    from scipy.special import ndtr  # lazy, as in _level_tables

    from snac_pack.hardware.network import RANDOM_BIAS_STD

    reads_relus = np.zeros_like(linear)
    reads_relus[:, 1:] = 1.0 - linear[:, :-1]
    half_lsb = 2.0 ** -(weight_bits - 1.0 - weight_integer_bits) / 2.0
    return (1.0 - linear) * reads_relus * ndtr(half_lsb / RANDOM_BIAS_STD) * mask


def architecture_matrix(archs: Sequence[Architecture], max_layers: int) -> np.ndarray:
    """Numeric description of each architecture, one row each (see :func:`matrix_columns` and the module docstring).

    Args:
        archs: the architectures.
        max_layers: depth to pad to (at least the deepest architecture).

    Returns:
        Array of shape ``(len(archs), len(matrix_columns(max_layers)))``; absent layers are zeros.
    """
    return _description(archs, max_layers, statistics=None)


def realised_matrix(archs: Sequence[Architecture], statistics: Sequence[np.ndarray], max_layers: int) -> np.ndarray:
    """:func:`architecture_matrix` with the counts of actual weights in place of their expectation.

    Args:
        archs: the architectures.
        statistics: :func:`weight_statistics` of each architecture's weights, in the same order.
        max_layers: depth to pad to.

    Returns:
        Array with the columns of :func:`matrix_columns`; ``sparsity``, ``csd_digits``,
        ``digit_bits``, ``adder_depth``, the weight counts and the layers' ``input_bits`` (the
        interval widths their digits read) are those of the weights.
    """
    if len(statistics) != len(archs):
        raise ValueError(f"{len(statistics)} weight statistics for {len(archs)} architectures")
    for arch, counts in zip(archs, statistics, strict=True):
        weighted = len(arch.weighted_layers())
        if np.shape(counts) != (weighted, len(WEIGHT_STATISTICS)):
            raise ValueError(f"weight statistics of shape {np.shape(counts)} for {arch.describe()} "
                             f"({weighted} layers with weights): expected ({weighted}, {len(WEIGHT_STATISTICS)})")
    return _description(archs, max_layers, statistics=statistics)


def _description(archs: Sequence[Architecture], max_layers: int, statistics: Sequence[np.ndarray] | None) -> np.ndarray:
    """The shared core of :func:`architecture_matrix` (expected counts) and :func:`realised_matrix` (counted)."""
    layers, network, mask = _layer_values(archs, max_layers)
    (units, fan_in, applications, weight_bits, weight_integer_bits, activation_bits, sparsity, linear, input_bits,
     activation_integer_bits, input_integer_bits, input_signed) = np.moveaxis(layers, -1, 0)
    n_inputs, net_input_bits, depth, clock, tokens, pool_adder_bits, pool_depth = network.T
    if statistics is None:
        weights = applications * fan_in * units * (1.0 - sparsity)
        safe_fan = np.where(mask, fan_in + units, 2.0)
        log2_scale = 0.5 * np.log2(2.0 / safe_fan) + weight_bits - 1.0 - weight_integer_bits
        digits_per_weight = expected_csd_digits(log2_scale, sparsity) * mask
        # Column digits set the adder depth of the columns built; constant and dead neurons' are not.
        # For a shared kernel the chain's expectation is taken per application (an approximation:
        # which inputs vary and which outputs live differs between tokens).
        column_digits = fan_in * digits_per_weight
        built, neurons_built = _expected_built_fraction(
            units, fan_in, log2_scale, sparsity, mask, _sign_constant(linear, weight_bits, weight_integer_bits, mask)
        )
        csd_digits = applications * fan_in * units * digits_per_weight * built
        # Every input: the share a random draw leaves unused is small in the spaces (its expectation
        # in the registers made the held-out FF of the jet and tabular spaces worse, 6.2 -> 7.0 %).
        input_register = n_inputs * net_input_bits
        rounded_bits = applications * units * neurons_built * _expected_quantizer_bits(
            fan_in, units, sparsity, weight_bits, weight_integer_bits, input_bits, input_integer_bits, input_signed,
            activation_bits, activation_integer_bits, linear, mask,
        )
    else:
        counts = np.zeros((len(archs), max_layers, len(WEIGHT_STATISTICS)))
        if len(archs):
            counts[mask] = np.concatenate([np.asarray(c, dtype=np.float64) for c in statistics])
        csd_digits, weights, column_digits, counted_digit_bits, counted_pool_bits, counted_input_bits, rounded_bits = np.moveaxis(counts, -1, 0)
        sparsity = np.where(mask, 1.0 - weights / np.maximum(applications * fan_in * units, 1.0), 0.0)
        pool_adder_bits = counted_pool_bits.sum(axis=1)
        input_register = counted_input_bits.sum(axis=1)
        # The width da4ml gives the inputs: their intervals', on average over the digits that read them.
        input_bits = np.where(csd_digits > 0, counted_digit_bits / np.maximum(csd_digits, 1.0), input_bits)
    adder_bits = weights * weight_bits * input_bits
    digit_bits = csd_digits * input_bits
    adder_depth = (np.ceil(np.log2(column_digits + 1.0)) + 1.0 + linear) * mask
    periods, which = np.unique(clock, return_inverse=True)
    levels = np.array([latency_cutoff_for_clock(period) for period in periods])[which] if len(archs) else clock
    total_depth = adder_depth.sum(axis=1) + pool_depth
    head = np.maximum(depth.astype(np.intp) - 1, 0)
    output_register = units[np.arange(len(archs)), head] * activation_bits[np.arange(len(archs)), head]
    register_bits = (
        input_register + output_register
        + ((csd_digits * (input_bits + weight_bits)).sum(axis=1) + pool_adder_bits) / levels
    )
    per_layer = np.stack(
        [units, fan_in, weight_bits, input_bits, activation_bits, sparsity, adder_bits, csd_digits, digit_bits, adder_depth,
         applications, rounded_bits],
        axis=-1,
    ).reshape(len(archs), max_layers * len(LAYER_COLUMNS))
    totals = np.stack(
        [
            depth,
            n_inputs,
            net_input_bits,
            adder_bits.sum(axis=1),
            weights.sum(axis=1),
            (applications * units * activation_bits).sum(axis=1),
            csd_digits.sum(axis=1),
            digit_bits.sum(axis=1),
            total_depth,
            np.ceil(total_depth / levels),
            register_bits,
            tokens,
            pool_adder_bits,
        ],
        axis=1,
    )
    return np.hstack([per_layer, totals])
