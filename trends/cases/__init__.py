"""Analysis cases bundled with trends: everything specific to one case lives in its module.

- :mod:`trends.cases.idlib_2019`: the founding case (the Russian-announced ceasefire of
  31 August 2019 in north-western Syria): theatre filter, default window and intervention,
  bundled source credit, place words and claim scopes.

General modules (the report, the config, the CLI) read a case's policy from here and nowhere
else, so that with a user's own data nothing of a bundled case appears.
"""

from trends.cases import idlib_2019

__all__ = ["idlib_2019"]
