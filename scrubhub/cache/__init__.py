"""The shared cache: Redis, and a database table that stands in for it during an outage."""
