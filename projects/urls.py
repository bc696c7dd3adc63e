from django.urls import path

from projects import views

urlpatterns = [
    *views.ProjectListView.urls("", name="projects"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    *views.FundingListView.urls("funding/", name="funding"),
    *views.FundingDetailView.urls("funding/", name="funding-detail"),
    *views.DisbursementListView.urls("disbursements/", name="disbursements"),
    *views.DisbursementDetailView.urls("disbursements/", name="disbursement-detail"),
    *views.IndicatorListView.urls("indicators/", name="indicators"),
    *views.IndicatorDetailView.urls("indicators/", name="indicator-detail"),
    *views.LeadListView.urls("leads/", name="leads"),
    *views.LeadDetailView.urls("leads/", name="lead-detail"),
    *views.SaleListView.urls("sales/", name="sales"),
    *views.SaleDetailView.urls("sales/", name="sale-detail"),
]
