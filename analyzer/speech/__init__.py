"""Speech: audio in, attributed utterances with word times out.

``decode`` (PyAV to 16 kHz float channels; ``SAMPLE_RATE``), ``meta`` (what
is known about an interaction besides its audio: one typed record, one
reader of sidecars), ``tracks`` (a party's signal, the recognizer protocol,
the one resolver of roles), ``model`` (the Whisper model shipped on PyPI,
joined and checked offline), ``asr`` (the decoding policy's rules),
``engine`` (the one recognition engine), ``packing`` (speech pieces packed
into full 30 s bins for batched decoding), ``verify`` (acoustic verification),
``rings`` (ringback tone), ``attribution`` and ``diarize`` (who said it),
``recording`` (a recording to an :class:`~analyzer.types.Interaction`) and
``clips`` (recordings on disk, cut into clips).
"""
