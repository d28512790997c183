"""Mutual aid in the JSON API (mounted on ``/api/v1/`` by ``unionportal/urls.py``): ``status`` (the claim status
check without an account) and ``members`` (members' own claims, cover and estimate, and the staff's claim list)."""
