app_name = "hardship"

# The pages arrive with the app's issue.
urlpatterns: list = []
