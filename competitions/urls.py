app_name = "competitions"

# The pages arrive with the app's issue.
urlpatterns: list = []
