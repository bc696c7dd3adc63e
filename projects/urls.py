from django.urls import path

from projects import views

urlpatterns = [
    *views.ProjectListView.urls("", name="projects"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    *views.FundingListView.urls("funding/", name="funding"),
    *views.DisbursementListView.urls("disbursements/", name="disbursements"),
    *views.IndicatorListView.urls("indicators/", name="indicators"),
    *views.LeadListView.urls("leads/", name="leads"),
    *views.SaleListView.urls("sales/", name="sales"),
]
