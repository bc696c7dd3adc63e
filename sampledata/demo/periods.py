"""The demo's reporting cycle: the months of 2024 up to September approved (so their records
are locked and their summaries kept as reported), October open, as a team reporting monthly
would stand on the report's day (2024-10-09). 示例数据: the report gives no reporting dates;
the approvals name no one (the demo has no reviewer's account) and carry the loading time.

Running it again changes nothing: a period already past "open" (approved, or reopened by
someone trying the demo) is left as it is.
"""

from periods import services
from periods.models import Period, Status

APPROVED = [f"2024-{month:02d}" for month in range(1, 10)]
OPEN = ["2024-10"]


def load() -> dict[str, int]:
    for code in APPROVED:
        period = services.period_for(code)
        if period.status == Status.OPEN:
            period = services.transition(period, services.Action.SUBMIT, user=None)
            services.transition(period, services.Action.APPROVE, user=None)
    for code in OPEN:
        services.period_for(code)
    return {"reporting periods": Period.objects.count()}
