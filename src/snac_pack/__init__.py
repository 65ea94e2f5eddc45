"""snac-pack: co-design of tiny neural networks and their FPGA firmware."""

import os

# QKeras and hls4ml's Keras-2 path need tf_keras, which TensorFlow only selects when this is
# set before its first import; quiet logs and no telemetry calls from an offline cluster node.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

__version__ = "0.1.0"
