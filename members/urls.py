from .views import drive, figures, members, online, organisations, roster

app_name = "members"

# Each view module owns its URLs; the member pages come last because they start at the app's root.
urlpatterns = [
    *organisations.urlpatterns,
    *figures.urlpatterns,
    *roster.urlpatterns,
    *drive.urlpatterns,
    *online.urlpatterns,
    *members.urlpatterns,
]
