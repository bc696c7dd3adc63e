from django.urls import path

from evidence import views

urlpatterns = [
    path("<int:pk>/", views.download, name="evidence-download"),
    path("<int:pk>/thumbnail/", views.thumbnail, name="evidence-thumbnail"),
    path("<int:pk>/delete/", views.delete, name="evidence-delete"),
    path("add/<str:record_type>/<int:pk>/", views.upload, name="evidence-upload"),
]
