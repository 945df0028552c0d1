"""`make bench`: serves the app with gunicorn and drives its busiest pages with wrk."""
