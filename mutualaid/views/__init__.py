"""Views of mutual aid, one module per area; ``mutualaid/urls.py`` gathers them."""
