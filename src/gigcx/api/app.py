"""The JSON API under /api/v1, with OpenAPI at /docs."""

from fastapi import APIRouter, FastAPI

from gigcx.api.routes import (
    assist,
    auth,
    brands,
    earnings,
    experts,
    offers,
    pay,
    programs,
    quality,
    tickets,
    training,
)


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for module in (
        auth,
        brands,
        programs,
        experts,
        tickets,
        offers,
        earnings,
        pay,
        training,
        quality,
        assist,
    ):
        router.include_router(module.router)
    return router


def install_api(app: FastAPI) -> None:
    app.include_router(api_router())

    @app.get("/healthz", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness probe. Public."""
        return {"status": "ok"}
