from tests.example_ledger import views

urlpatterns = [
    *views.TrainingListView.urls("", name="trainings"),
    *views.TrainingDetailView.urls("", name="training-detail"),
]
