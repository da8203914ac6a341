"""Rules: hits and measurements in, scored findings out.

``context`` (owed phrases and forbidden hits in their dialogue context),
``learned`` (the ONNX classifiers), ``acoustics`` and ``hangup`` (measured
rules), ``score`` (the scoring template).
"""
