"""Local compression: quantization-aware training (QKeras) with iterative magnitude pruning.

Knows nothing of Kedro. :func:`~snac_pack.compression.loop.compress` trains one network at one
precision through its pruning iterations; :mod:`~snac_pack.compression.evaluate` costs every
point exactly and with the surrogate; :mod:`~snac_pack.compression.selection` picks the final
point; :class:`~snac_pack.compression.saved.CompressedModel` stores and rebuilds it.
"""
