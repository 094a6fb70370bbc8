"""pytest fixtures of the sandbox, for the whole test suite.

``tests/conftest.py`` imports them::

    from seedance_dsl.sandbox.pytest_plugin import sandbox, sandbox_factory  # noqa: F401

``sandbox``
    a running sandbox with :meth:`SandboxSettings.for_tests` settings (time × 0.01:
    a render takes ~0.2 s, the 30-requests rate window lasts 0.6 s; cheap 2 fps,
    160 px animatics; inspection on), fresh for each test.
``sandbox_factory``
    ``sandbox_factory(**overrides)`` or ``sandbox_factory(settings)`` starts another
    one (for example ``sandbox_factory(fail_fraction=1.0)``); all are stopped at the
    end of the test.

The server modules are imported only when a fixture is used, so collecting the
suite stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import Sandbox
    from .settings import SandboxSettings

__all__ = ["sandbox", "sandbox_factory"]

SandboxFactory = Callable[..., "Sandbox"]


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    from .server import Sandbox
    from .settings import SandboxSettings

    started: list[Sandbox] = []

    def make(settings: SandboxSettings | None = None, /, **overrides: Any) -> Sandbox:
        if settings is None:
            settings = SandboxSettings.for_tests(**overrides)
        elif overrides:
            settings = settings.replace(**overrides)
        sb = Sandbox(settings)
        started.append(sb)
        return sb.start()

    yield make
    for sb in reversed(started):
        sb.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> Sandbox:
    return sandbox_factory()
