"""Starting a hub at /start/ and the platform operator's queue of hubs asking to open. Like
the back office it sits above the apps: each setup step saves through the owning app's
service (hubs, packages' patterns, dropoffs' points), and no app imports it."""
