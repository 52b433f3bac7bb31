"""Hypothesis keeps caches (the constants of the code under test, Unicode tables) in a home
directory, by default `.hypothesis/` in the working directory, that is the repository: the
schema-driven tests keep them in a temporary directory instead. Their example database is off
(`database: none` in their configuration)."""

import tempfile

from hypothesis.configuration import set_hypothesis_home_dir

_HOME = tempfile.TemporaryDirectory(prefix="apologismos-hypothesis-")
set_hypothesis_home_dir(_HOME.name)
