from django.urls import path

from ledger.imports.views import file_urls
from projects import views

urlpatterns = [
    *views.ProjectListView.urls("", name="projects"),
    *file_urls("", ledger="projects"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    *views.FundingListView.urls("funding/", name="funding"),
    *file_urls("funding/", ledger="funding"),
    *views.FundingDetailView.urls("funding/", name="funding-detail"),
    *views.DisbursementListView.urls("disbursements/", name="disbursements"),
    *file_urls("disbursements/", ledger="disbursements"),
    *views.DisbursementDetailView.urls("disbursements/", name="disbursement-detail"),
    *views.IndicatorListView.urls("indicators/", name="indicators"),
    *file_urls("indicators/", ledger="indicators"),
    *views.IndicatorDetailView.urls("indicators/", name="indicator-detail"),
    *views.LeadListView.urls("leads/", name="leads"),
    *file_urls("leads/", ledger="leads"),
    *views.LeadDetailView.urls("leads/", name="lead-detail"),
    *views.SaleListView.urls("sales/", name="sales"),
    *file_urls("sales/", ledger="sales"),
    *views.SaleDetailView.urls("sales/", name="sale-detail"),
    *views.OutletListView.urls("outlets/", name="outlets"),
]
