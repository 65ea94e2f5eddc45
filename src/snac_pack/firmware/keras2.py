"""hls4ml's Keras-2 converter for tf_keras/QKeras models, with Keras 3 installed beside them.

hls4ml 1.3 picks its Keras parser by ``keras.__version__``. TensorFlow 2.21 installs Keras 3,
so a tf_keras (Keras 2) model would go to the Keras-3 parser and fail. While converting, we
present tf_keras's version as Keras's, then restore it: the only place that touches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def keras2_converter() -> Iterator[None]:
    """Within this block hls4ml's converters treat models as Keras 2 (tf_keras) models."""
    import keras
    import tf_keras

    installed = keras.__version__
    keras.__version__ = tf_keras.__version__
    try:
        yield
    finally:
        keras.__version__ = installed
