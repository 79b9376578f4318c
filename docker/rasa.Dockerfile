FROM python:3.10-slim
WORKDIR /srv/assistant
COPY nlu/requirements.txt nlu/requirements.txt
RUN pip install --no-cache-dir "pip<24.1" && pip install --no-cache-dir -r nlu/requirements.txt
COPY nlu nlu
COPY actions actions
RUN rasa train --config nlu/config.yml --domain nlu/domain --data nlu/data --out nlu/models \
    --fixed-model-name procedure-assistant
