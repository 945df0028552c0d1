"""The hub's back office: every /hub/ page, whichever app's records it shows (as pretix's
control/). The top layer: its views read through the apps' selectors and write through
their services; no app imports it."""
