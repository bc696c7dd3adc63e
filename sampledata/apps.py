from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleDataConfig(AppConfig):
    """Data to show and measure with: the demo ledger as the 2024-10-09 report tells it
    (`load_demo`) and a province-sized synthetic ledger (`generate_ledger`). No models."""

    name = "sampledata"
    verbose_name = _("Sample data")
