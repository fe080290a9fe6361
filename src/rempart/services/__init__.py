"""The service layer: use cases taking a unit of work (and stores), called by web and CLI."""
