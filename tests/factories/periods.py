from periods import services
from periods.models import Period

__all__ = ["approved_period"]


def approved_period(code: str, *, programme=None, user=None) -> Period:
    """The period `code` (2024-09, 2024Q3, 2024) submitted and approved through the service,
    as a reviewer does (the summary is kept as reported)."""
    period = services.period_for(code, programme=programme)
    period = services.transition(period, services.Action.SUBMIT, user=user)
    return services.transition(period, services.Action.APPROVE, user=user)
