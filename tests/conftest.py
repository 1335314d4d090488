"""Test-suite settings shared by every test module.

Hypothesis: no per-example deadline and no "input generation is slow" health check — CI runs
two workers on two shared cores, where wall-clock limits fail for reasons unrelated to the
code under test. Tests that need their own limits still set them with ``@settings``.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("glassml", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("glassml")
