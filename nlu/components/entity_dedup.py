"""Keep one entity per span when two extractors found the same thing.

The dossier code and place names are found by the RegexEntityExtractor, which only uses patterns whose
entity is annotated in the training data; DIET then learns the same entities from those annotations and
often reports them too. Two identical entities would fill a slot with a list and make conversation
tests see an extra entity, so the later duplicates (same type, overlapping span) are dropped; the
pattern's match wins because it comes first in the pipeline.
"""

# Rasa compares these annotations with those of its own components: keep typing.List / typing.Dict.
# ruff: noqa: UP006, UP019, UP035
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityDeduplicator(GraphComponent):
    """Drops an entity that overlaps an earlier one of the same type; must come after the extractors."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityDeduplicator:
        """Builds the component."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Removes the duplicates from each message's entities."""
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                message.set(ENTITIES, deduplicate(entities), add_to_output=True)
        return messages


def deduplicate(entities: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The entities in order, without those overlapping an earlier one of the same type."""
    kept: List[Dict[Text, Any]] = []
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        duplicate = any(
            other.get("entity") == entity.get("entity")
            and isinstance(start, int) and isinstance(end, int)
            and start < int(other.get("end", -1)) and int(other.get("start", -1)) < end
            for other in kept
        )
        if not duplicate:
            kept.append(entity)
    return kept
