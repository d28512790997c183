"""Models of this app arrive with its issue; the app is installed from the start so its migrations chain cleanly."""
