"""Custom actions of the Rasa assistant; rasa-sdk imports every module of this package at start-up."""
