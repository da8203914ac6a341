"""Live analysis of audio as it arrives (:class:`StreamAnalyzer`)."""

from analyzer.stream.live import VAD_FRAME, Segmenter, SileroStream, StreamAnalyzer

__all__ = ["VAD_FRAME", "Segmenter", "SileroStream", "StreamAnalyzer"]
