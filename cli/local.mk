# cli: filled in by its own work
