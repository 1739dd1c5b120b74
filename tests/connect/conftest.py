"""The schema test reads the generated proto descriptors: make sure they exist."""

from tests.runner.support import ensure_proto

ensure_proto()
