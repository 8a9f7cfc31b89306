# xml: filled in by its own work
