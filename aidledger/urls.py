from django.urls import path

from aidledger import views
from ledger.imports.views import file_urls

urlpatterns = [
    *views.MemberListView.urls("", name="members"),
    *file_urls("", ledger="members"),
    path("<int:pk>/", views.member_detail, name="member-detail"),
]
