"""Custom Rasa graph components referenced from `nlu/config.yml`."""
