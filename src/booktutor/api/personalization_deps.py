"""Dependencies for the personalization and translation routes: services on the app's model."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from booktutor.api.deps import ServicesDep
from booktutor.personalize.service import PersonalizationService
from booktutor.translate.service import TranslationService


def app_model(request: Request):
    """The model the chat engine was built with (configured, or injected by tests)."""
    return getattr(getattr(request.app.state, "run_source", None), "model", None)


async def get_personalization(request: Request, services: ServicesDep) -> PersonalizationService:
    return PersonalizationService(services, app_model(request))


async def get_translation(request: Request, services: ServicesDep) -> TranslationService:
    return TranslationService(services, app_model(request))


PersonalizationDep = Annotated[PersonalizationService, Depends(get_personalization)]
TranslationDep = Annotated[TranslationService, Depends(get_translation)]
