from ledger.imports.views import file_urls
from tests.example_ledger import views

urlpatterns = [
    *views.TrainingListView.urls("", name="trainings"),
    *file_urls("", ledger="trainings"),
    *views.TrainingDetailView.urls("", name="training-detail"),
]
