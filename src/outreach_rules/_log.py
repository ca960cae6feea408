"""The `outreach_rules` logger: standard `logging`, silent unless the application routes it.

The package adds only a `NullHandler`, so nothing is printed until the application
configures logging (docs/embedding.md shows how). Events, by level:

- INFO: a pack loaded (name, version, digest, rules, milliseconds); batch workers started
  and stopped.
- WARNING: a durable host rebuilt after an engine error; an evaluation error; a failure of
  durable_rules while freeing a session or a ruleset (the C state is then not trusted).
"""

from __future__ import annotations

import logging

LOG = logging.getLogger("outreach_rules")
LOG.addHandler(logging.NullHandler())
