"""Views of the members app, one module per area; ``members/urls.py`` gathers their ``urlpatterns``."""
