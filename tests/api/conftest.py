"""API fixtures: a client logged in as a clinician, with the real library loaded."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(client, clinician, login, loaded_library):
    login(client, clinician)
    return client
