"""What the dropoffs pages share: PROBLEMS, the refusals a page shows to the person who
tried (a kit's rules and dropoffs' own), never a server error."""

from __future__ import annotations

from dropoffs import services
from packages.services import PackagesError

PROBLEMS = (PackagesError, services.DropoffsError)
