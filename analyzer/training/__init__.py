"""Training material: example packs for staff training, the privacy masker, and
the data and fitting of the learned classifiers (``classifiers``).
"""
