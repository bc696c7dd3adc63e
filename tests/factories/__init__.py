"""Factories per app; import them from here (`from tests.factories import MemberFactory`)."""

from tests.factories.evidence import *  # noqa: F403
from tests.factories.example_ledger import *  # noqa: F403
from tests.factories.pairings import *  # noqa: F403
from tests.factories.periods import *  # noqa: F403
from tests.factories.projects import *  # noqa: F403
from tests.factories.reports import *  # noqa: F403
from tests.factories.team import *  # noqa: F403
