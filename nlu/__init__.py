"""The Rasa project: configuration, domain, training data and the custom NLU component it loads."""
