# doc: filled in by its own work
