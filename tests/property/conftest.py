"""`make fuzz` runs the property tests with more examples (EZIOX_PROPERTY_EXAMPLES)."""

from __future__ import annotations

import os

from hypothesis import settings

if "EZIOX_PROPERTY_EXAMPLES" in os.environ:
    settings.register_profile("fuzz", max_examples=int(os.environ["EZIOX_PROPERTY_EXAMPLES"]))
    settings.load_profile("fuzz")
