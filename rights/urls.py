app_name = "rights"

# The pages arrive with the app's issue.
urlpatterns: list = []
