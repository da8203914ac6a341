"""Speech: audio in, attributed utterances with word times out.

``decode`` (PyAV to 16 kHz float channels), ``model`` (the Whisper model
shipped on PyPI, joined and checked offline), ``asr`` (the recognizer),
``packing`` (speech pieces packed into full windows for batched decoding),
``rings`` (ringback tone), ``recording`` (a recording to an
:class:`~analyzer.types.Interaction`) and ``clips`` (recordings on disk, cut
into clips).
"""
