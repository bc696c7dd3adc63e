from django.urls import path

from periods import views

urlpatterns = [
    path("", views.period_list, name="periods"),
    path("<str:code>/", views.period_detail, name="period-detail"),
    path("<str:code>/<str:action>/", views.period_transition, name="period-transition"),
]
