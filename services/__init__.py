"""Application services: the event store application, command handling, projection running."""
