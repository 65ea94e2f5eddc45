"""Networks built from a description: Keras (tf_keras) MLPs for the search, QKeras for compression."""
