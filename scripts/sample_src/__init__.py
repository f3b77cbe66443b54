"""Original article texts for the corpusforge sample dataset.

Every text in this package was written for the sample; none is copied from a
real outlet. Each article is one string: the first line is the title, every
further line is one paragraph of the body.
"""
