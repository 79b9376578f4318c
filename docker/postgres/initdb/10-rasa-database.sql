-- Rasa's conversation trackers live in their own database on the same server, owned by the same role:
-- the app's schema and Rasa's tables never mix, and each can be backed up on its own.
CREATE DATABASE rasa OWNER assistant;
