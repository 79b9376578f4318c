# Rasa 3.6 and the action server (Python 3.10), same requirements as .venv-rasa; the model is trained
# at build time so every replica serves the same one.
FROM python:3.10.15-slim-bookworm
WORKDIR /srv/assistant
COPY nlu/requirements.txt nlu/requirements.txt
RUN pip install --no-cache-dir "pip<24.1" && pip install --no-cache-dir -r nlu/requirements.txt
COPY nlu nlu
COPY actions actions
# The app's log formatter and masking (standard library only), for nlu/logging-json.yml.
COPY assistant/__init__.py assistant/logging_setup.py assistant/
RUN rasa train --config nlu/config.yml --domain nlu/domain --data nlu/data --out nlu/models \
        --fixed-model-name procedure-assistant \
    && useradd --system --home /srv/assistant rasa && chown -R rasa /srv/assistant
USER rasa
EXPOSE 5005 5055
