"""Small learned text classifiers (Article 6 incivility, Article 10 citizen cues).

``phrasings`` holds the hand-written phrasings, ``build_data`` expands them
into the labelled JSONL data sets by systematic variation, ``train`` fits the
scikit-learn pipelines and exports them to ONNX. The analyzer loads the ONNX
files with onnxruntime only (``analyzer.rules.learned``).
"""
