"""ACCME's JSON documents: activity items and learner reports, read into commands and written back."""
