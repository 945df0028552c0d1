"""The back office's views, one module per area of the hub's work."""
