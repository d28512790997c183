"""Pages of the reporting app, one module per area; ``reporting/urls.py`` maps them.

- ``reports``: the monthly reports (list, detail, filing, correction, upload, approval) and the catalogue;
- ``bulletin``: targets and weights, the bulletin (通报) and the city and county dashboards.
"""
