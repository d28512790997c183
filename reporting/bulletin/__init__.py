"""The bulletin (通报): ``data`` gathers the reads behind it as plain data, ``files`` renders it as PDF and xlsx."""
