"""All console routers of the accounts/procedures areas, included in the app with one line."""

from __future__ import annotations

from fastapi import APIRouter

from knowledge.admin import bulk_routes, conversation_routes, kit, login, procedures, users

router = APIRouter()
router.include_router(login.router)
router.include_router(procedures.router)
router.include_router(procedures.api)
router.include_router(users.router)
router.include_router(kit.router)
router.include_router(bulk_routes.router)
router.include_router(conversation_routes.router)
